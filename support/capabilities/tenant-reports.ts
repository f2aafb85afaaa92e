/**
 * Several tenants, each with an SMTP account on the mail sink and an application of its
 * own that receives its delivery reports (one callback receiver per tenant), to check
 * that each application hears about its own tenant's messages only
 * (docs/multi_tenancy.rst, "Delivery Report Routing").
 *
 * Tenant ids carry the scenario id ("acme" -> acme-<sid>). Reach it as
 * `world.use(TenantReports.forScenario)`.
 */
import { expect } from 'chai';
import type { OutgoingMessage } from '../clients/proxy-api.js';
import { redactValue } from '../base/redact.js';
import { CallbackReceiver } from '../partners/callback-receiver.js';
import { sinkAccountInput } from './sink-account.js';
import type { GenroWorld } from '../cucumber/world.js';

interface TenantApp {
  tenantId: string;
  accountId: string;
  receiver: CallbackReceiver;
}

export class TenantReports {
  private readonly tenants = new Map<string, TenantApp>();

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): TenantReports {
    return new TenantReports(world);
  }

  private app(name: string): TenantApp {
    const found = this.tenants.get(name);
    if (!found) throw new Error(`no tenant "${name}" with an application of its own in this scenario`);
    return found;
  }

  /** Creates the tenant, its account on the sink, and its application, where its reports go. */
  async setUp(name: string): Promise<void> {
    const receiver = new CallbackReceiver();
    this.world.teardown.push(`stop the application of ${name}`, () => receiver.stop());
    this.world.evidence.add(`callback-receiver-${name}`, {
      title: () => `Callback requests received by ${name}'s application (${receiver.requests.length})`,
      collect: () => receiver.requests.map((r) => JSON.stringify({ ...r, headers: redactValue(r.headers), body: redactValue(r.body) })).join('\n') || '(none)',
    });
    const tenantId = `${name}-${this.world.sid}`;
    const api = this.world.proxy;
    await api.tenants.add({ id: tenantId, name: `${name} of ${this.world.sid}`, client_base_url: await receiver.start(this.world.session.endpoints.partners) });
    this.world.teardown.push(`delete tenant ${tenantId}`, async () => {
      await api.tenants.delete(tenantId);
    });
    const account = sinkAccountInput(this.world, `smtp-${name}-${this.world.sid}`, tenantId);
    await api.accounts.add(account);
    this.tenants.set(name, { tenantId, accountId: account.id, receiver });
  }

  /** The tenant's application submits the message through the tenant's account. */
  async submit(name: string, alias: string): Promise<void> {
    const { tenantId, accountId } = this.app(name);
    const message: OutgoingMessage = {
      id: this.world.messageId(alias), tenant_id: tenantId, account_id: accountId,
      from: this.world.address(`${name}-office`), to: [this.world.address(`${alias}-recipient`)], subject: `Message ${alias} of ${name}`, body: `Body of ${alias}`,
    };
    this.world.messages.set(alias, message);
    expect(await this.world.proxy.messages.addBatch([message]), `the submission of "${alias}" by ${name}`).to.deep.include({ queued: 1, rejected: [] });
  }

  /**
   * The tenant's application receives a report for `own`. Once the other message's
   * report has reached its own tenant's application, this one has none for it, nor
   * gets one for a quiet period.
   */
  async assertHearsOnlyOwn(name: string, own: string, other: string): Promise<void> {
    const { receiver } = this.app(name);
    const timeoutMs = this.world.deliveryTimeoutMs;
    await receiver.waitForItem(this.world.messageId(own), `${name}'s application to receive a delivery report for "${own}"`, timeoutMs);
    const owner = [...this.tenants.entries()].find(([, app]) => app.tenantId === this.world.message(other).tenant_id);
    if (!owner) throw new Error(`"${other}" belongs to no tenant of this scenario`);
    await owner[1].receiver.waitForItem(this.world.messageId(other), `${owner[0]}'s application to receive a delivery report for "${other}"`, timeoutMs);
    await receiver.expectNoItemFor(this.world.messageId(other), this.world.quietPeriodMs, 0);
  }
}
