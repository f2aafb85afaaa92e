/**
 * The message list as an application reads it (GET /messages/list; docs/features.rst,
 * "Message Listing", and docs/api_reference.rst, "GET /messages"): narrowed to one tenant
 * and to the messages not yet sent, and what each listed message shows.
 *
 * Reach it as `world.use(MessageList.forScenario)`.
 */
import { expect } from 'chai';
import type { MessageRecord } from '../clients/proxy-api.js';
import type { GenroWorld } from '../cucumber/world.js';

export class MessageList {
  /** When the scenario submitted its messages (epoch seconds, rounded down). */
  private submittedAt: number | undefined;

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): MessageList {
    return new MessageList(world);
  }

  /**
   * A second tenant of the scenario, with an account on the mail sink and one message,
   * "elsewhere", delivered: a message the scenario's tenant must not see in its list.
   */
  async otherTenantWithAMessage(): Promise<void> {
    const api = this.world.proxy;
    const tenantId = `other-${this.world.sid}`;
    await api.tenants.add({ id: tenantId, name: `Other ${this.world.sid}` });
    this.world.teardown.push(`delete tenant ${tenantId}`, async () => {
      await api.tenants.delete(tenantId);
    });
    const sink = this.world.session.endpoints.mailpit.smtpForProxy;
    await api.accounts.add({ id: `smtp-other-${this.world.sid}`, tenant_id: tenantId, host: sink.host, port: sink.port, use_tls: false });
    const elsewhere = { ...this.world.draft('elsewhere'), tenant_id: tenantId, account_id: `smtp-other-${this.world.sid}` };
    await this.world.submit([{ alias: 'elsewhere', message: elsewhere }]);
    await this.world.deliveredMail('elsewhere');
  }

  noteSubmission(): void {
    this.submittedAt ??= Math.floor(Date.now() / 1000);
  }

  /** The ids the tenant's list shows (only the unsent ones when asked), against exactly these messages. */
  async assertListShowsExactly(aliases: string[], unsentOnly: boolean): Promise<void> {
    const list = await this.world.proxy.messages.list(this.world.tenantId, { activeOnly: unsentOnly });
    const names = new Map([...this.world.messages.keys()].map((alias) => [this.world.message(alias).id, alias]));
    expect(list.map((m) => names.get(m.id) ?? m.id).sort(), `the messages in the tenant's ${unsentOnly ? 'list of messages not yet sent' : 'message list'}`)
      .to.deep.equal([...aliases].sort());
  }

  /**
   * The listed message shows what docs/api_reference.rst ("GET /messages") gives each record:
   * its internal and its own id, the tenant and the tenant's name, the account, the priority,
   * the times of its life (not scheduled, sent between submission and now, no error), and
   * last its original content under "payload".
   */
  async assertShowsEverything(alias: string): Promise<void> {
    const message = this.world.message(alias);
    const listed: (MessageRecord & { tenant_name?: string; payload?: Record<string, unknown> }) | undefined =
      (await this.world.proxy.messages.list(message.tenant_id)).find((m) => m.id === message.id);
    if (!listed) throw new Error(`message "${alias}" is not in the message list`);
    const tenant = await this.world.proxy.tenants.get(message.tenant_id);
    expect(listed.pk, `the internal id (pk) of "${alias}"`).to.be.a('string').and.not.equal('');
    expect(listed.pk, `the internal id (pk) of "${alias}"`).to.not.equal(message.id);
    expect(
      { id: listed.id, tenant_id: listed.tenant_id, tenant_name: listed.tenant_name, account_id: listed.account_id, priority: listed.priority },
      `the ids, tenant, account and priority of "${alias}" in the message list`,
    ).to.deep.equal({ id: message.id, tenant_id: message.tenant_id, tenant_name: tenant.name, account_id: message.account_id, priority: message.priority ?? 2 });
    const now = Math.ceil(Date.now() / 1000);
    expect({ deferred_ts: listed.deferred_ts, error_ts: listed.error_ts, error: listed.error }, `the schedule and the error of "${alias}"`)
      .to.deep.equal({ deferred_ts: null, error_ts: null, error: null });
    expect(listed.smtp_ts, `the time "${alias}" was sent (smtp_ts), between its submission and now`).to.be.a('number').within(this.submittedAt ?? 0, now);
    const { from, to, subject, body } = message;
    expect(listed.payload, `the original content of "${alias}" under "payload" (fields listed: ${Object.keys(listed).join(', ')})`)
      .to.be.an('object').that.deep.includes({ from, to, subject, body });
  }
}
