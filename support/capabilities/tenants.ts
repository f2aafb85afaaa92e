/**
 * A tenant's life beyond its first account: switched off and on, given a storage, and
 * deleted with everything it owns.
 *
 * Reach it as `world.use(Tenants.forScenario)`.
 */
import { expect } from 'chai';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Answers } from './answers.js';
import type { GenroWorld } from '../cucumber/world.js';

export class Tenants {
  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): Tenants {
    return new Tenants(world);
  }

  /** Switches the scenario's tenant off or on; switching off is checked by reading the tenant back. */
  async switch(active: boolean): Promise<void> {
    const tenantId = this.world.tenantId!;
    await this.world.proxy.tenants.update(tenantId, { active });
    if (!active) expect((await this.world.proxy.tenants.get(tenantId)).active, 'the tenant\'s "active", read back').to.equal(false);
  }

  /** Deletes the scenario's tenant; the answer must be a plain `true` (a 5xx names the exception the proxy logged). */
  async deleteTenant(): Promise<void> {
    const answers = this.world.use(Answers.forScenario);
    const tenantId = this.world.tenantId!;
    answers.reset();
    const answer = await answers.record(this.world.proxy, (a) => a.tenants.delete(tenantId));
    expect(Answers.describe(answer), 'the answer to deleting the tenant').to.equal('POST /tenants/delete: HTTP 200 application/json');
    expect(answer.body, 'the answer to deleting the tenant').to.equal(true);
  }

  /** Gives the scenario's tenant a storage on the local disk (the proxy does not look at the folder until a message uses it). */
  async addLocalStorage(name: string): Promise<void> {
    const [api, tenantId] = [this.world.proxy, this.world.tenantId!];
    // Not to leave a storage behind when the tenant's deletion does not remove it (the assertion comes first).
    this.world.teardown.push(`delete storage ${name} of ${tenantId}`, async () => {
      await api.storages.delete(tenantId, name);
    });
    const stored = await api.storages.add({ tenant_id: tenantId, name, protocol: 'local', config: { base_path: join(tmpdir(), `storage-${this.world.sid}`) } });
    expect({ tenant_id: stored.tenant_id, name: stored.name }, 'the storage as added').to.deep.equal({ tenant_id: tenantId, name });
  }

  async assertNoStoragesLeft(): Promise<void> {
    const tenantId = this.world.tenantId!;
    const left = await this.world.proxy.storages.list(tenantId);
    expect(left.map((s) => s.name), `storages left of the deleted tenant ${tenantId}`).to.deep.equal([]);
  }

  async assertTenantEmpty(): Promise<void> {
    const tenantId = this.world.tenantId!;
    const [accounts, messages] = await Promise.all([this.world.proxy.accounts.list(tenantId), this.world.proxy.messages.list(tenantId)]);
    expect({ accounts: accounts.map((a) => a.id), messages: messages.map((m) => m.id) }, `what is left of the deleted tenant ${tenantId}`).to.deep.equal({ accounts: [], messages: [] });
  }
}
