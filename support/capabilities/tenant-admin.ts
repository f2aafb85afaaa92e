/**
 * What the operator and the application do to a tenant's set-up (docs/multi_tenancy.rst,
 * "Tenant Management API", "TenantAuth Configuration"; docs/protocol.rst, "REST command
 * surface"): save a tenant again, delete one of its accounts, send its delivery reports
 * without credentials.
 *
 * Reach it as `world.use(TenantAdmin.forScenario)`.
 */
import { expect } from 'chai';
import type { Tenant } from '../clients/proxy-api.js';
import { DeliveryReports } from './delivery-reports.js';
import { sinkAccountInput } from './sink-account.js';
import { TenantKeys } from './tenant-keys.js';
import type { GenroWorld } from '../cucumber/world.js';

export class TenantAdmin {
  /** What the proxy answered when the tenant was saved again. */
  private resaved: Tenant | undefined;

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): TenantAdmin {
    return new TenantAdmin(world);
  }

  private get keys(): TenantKeys {
    return this.world.use(TenantKeys.forScenario);
  }

  /** The operator saves the tenant again (POST /tenants/add, same id) with another name. */
  async saveAgainWithName(name: string, newName: string): Promise<void> {
    this.resaved = await this.world.proxy.tenants.add({ id: this.keys.tenantId(name), name: newName });
  }

  /** The answer to saving the tenant again holds no key, and the tenant now has the new name. */
  async assertSavedWithoutNewKey(name: string, newName: string): Promise<void> {
    expect(this.resaved, 'the answer to saving the tenant again').to.be.an('object').that.does.not.have.any.keys('api_key');
    expect((await this.world.proxy.tenants.get(this.keys.tenantId(name))).name, 'the tenant\'s name after it was saved again').to.equal(newName);
  }

  /** With the key it got when it was created, the tenant still lists its own accounts. */
  async assertKeyStillWorks(name: string): Promise<void> {
    const answer = await this.keys.listOwnAccounts(name);
    expect(answer.status, `${name}'s accounts, listed with the key it got when it was created`).to.equal(200);
  }

  /** A second account of the scenario's tenant on the mail sink: "<name>-<sid>". */
  async addSecondAccount(name: string): Promise<void> {
    await this.world.proxy.accounts.add(sinkAccountInput(this.world, `${name}-${this.world.sid}`, this.world.tenantId));
  }

  async deleteAccount(name: string): Promise<void> {
    await this.world.proxy.accounts.delete(this.world.tenantId!, `${name}-${this.world.sid}`);
  }

  /** The tenant's account list holds exactly the scenario's first account. */
  async assertOnlyFirstAccountListed(): Promise<void> {
    const ids = (await this.world.proxy.accounts.list(this.world.tenantId)).map((a) => a.id);
    expect(ids, 'the ids in the tenant\'s account list').to.deep.equal([this.world.accountId]);
  }

  /** The tenant sends its reports to the application, saying explicitly that they need no credentials. */
  async reportsWithoutCredentials(): Promise<void> {
    await this.world.use(DeliveryReports.forScenario).sendToApplication('none');
    await this.world.proxy.tenants.update(this.world.tenantId!, { client_auth: { method: 'none' } });
  }

  /** Every call the application received with a report item for the message came without an Authorization header. */
  assertReportsCameWithoutCredentials(alias: string): void {
    const requests = this.world.use(DeliveryReports.forScenario).receiver.requestsWithItemFor(this.world.messageId(alias));
    expect(requests, `calls with a report of "${alias}"`).to.not.be.empty;
    expect(requests.map((r) => r.headers.authorization ?? null), `the Authorization headers of the calls with a report of "${alias}"`)
      .to.deep.equal(requests.map(() => null));
  }
}
