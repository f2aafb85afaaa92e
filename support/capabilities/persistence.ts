/**
 * What the persistence scenarios check about the queue, the delivery reports and the
 * clean-up: built on the scenario's own proxy (support/capabilities/own-proxy.ts) when it restarts
 * one, on the worker's main proxy otherwise, and on a delivery-report receiver
 * (support/partners/callback-receiver.ts).
 *
 * Reach it as `world.use(Persistence.forScenario)`.
 */
import { expect } from 'chai';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Answers } from './answers.js';
import type { HistoryEvent, MessageRecord } from '../clients/proxy-api.js';
import { CallbackReceiver, type CallbackRequest, type ReportItem } from '../partners/callback-receiver.js';
import { consistently, eventually, GiveUp } from '../base/eventually.js';
import { OwnProxy } from './own-proxy.js';
import { freePort } from '../stack/process.js';
import type { GenroWorld } from '../cucumber/world.js';

export class Persistence {
  /** The answer of the last clean-up. */
  lastCleanup: { ok: boolean; removed: number } | undefined;

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): Persistence {
    return new Persistence(world);
  }

  get receiver(): CallbackReceiver {
    return this.world.use(CallbackReceiver.forScenario);
  }

  get own(): OwnProxy {
    return this.world.use(OwnProxy.forScenario);
  }

  // ------------------------------------------------------------------ set-up

  /** A tenant whose client_base_url is the scenario's report receiver, and an account on the sink. */
  async reportingTenant(): Promise<void> {
    const tenantId = await this.world.createTenant();
    await this.world.proxy.tenants.update(tenantId, { client_base_url: await this.receiver.start(this.world.session.endpoints.callbackReceiver) });
    await this.world.createSinkAccount();
  }

  /** An account whose SMTP server refuses connections: a port on this machine where nothing listens. */
  async unreachableAccount(): Promise<void> {
    await this.world.createTenant();
    await this.world.createSinkAccount({ host: '127.0.0.1', port: await freePort() });
  }

  /** Points the scenario's account at the mail sink (the account is added again, same id). */
  async pointAccountAtSink(): Promise<void> {
    await this.world.createSinkAccount();
  }

  // ------------------------------------------------------------------ restarts and due times

  /** The time a deferred or scheduled message is due (its deferred_ts), in ms. */
  async dueAt(alias: string): Promise<number> {
    const record = await this.world.record(alias);
    if (record.deferred_ts === null) throw new Error(`message "${alias}" has no time it is due (deferred_ts is null): ${record.status}`);
    return record.deferred_ts * 1000;
  }

  async assertRestartedBeforeDue(alias: string): Promise<void> {
    const restart = this.own.lastRestart;
    if (!restart) throw new Error('the proxy has not been restarted in this scenario');
    const due = await this.dueAt(alias);
    expect(restart.ready, `the restart (ready at ${new Date(restart.ready).toISOString()}) must end before "${alias}" is due at ${new Date(due).toISOString()}, or the scenario proves nothing`).to.be.below(due);
  }

  /** Waits for the message to be sent at its retry; gives up at once if it ends in error. */
  async deliveredAtRetry(alias: string): Promise<void> {
    const message = this.world.message(alias);
    const timeoutMs = Math.max(0, (await this.dueAt(alias)) - Date.now()) + this.world.deliveryTimeoutMs;
    await eventually(
      { description: `message "${alias}" to be sent at its retry`, timeoutMs, intervalMs: 200 },
      async () => {
        const listed = (await this.world.proxy.messages.list(message.tenant_id)).find((m) => m.id === message.id);
        if (listed?.status === 'error') throw new GiveUp(`the message "${alias}" ended in error instead of being delivered: ${listed.error}`);
        return listed?.status;
      },
      (status) => status === 'sent',
    );
    await this.world.deliveredMail(alias);
  }

  // ------------------------------------------------------------------ delivery reports

  /** Waits for a report item of the message that the receiver answered as given, after `after` (ms). */
  async reportOf(alias: string, expectation: { answered: 'accepted' | 'refused'; after?: number }): Promise<{ item: ReportItem; request: CallbackRequest }> {
    const id = this.world.message(alias).id;
    const wanted = (r: CallbackRequest) => (expectation.answered === 'accepted' ? r.answeredStatus < 300 : r.answeredStatus >= 300) && r.receivedAt >= (expectation.after ?? 0);
    const [found] = await eventually(
      {
        description: `a delivery report of "${alias}" (as sent) that the application ${expectation.answered}${expectation.after ? ` after ${new Date(expectation.after).toISOString()}` : ''}`,
        timeoutMs: this.world.deliveryTimeoutMs,
      },
      () => this.receiver.itemsFor(id).filter(({ item, request }) => typeof item.sent_ts === 'number' && wanted(request)),
      (items) => items.length > 0,
    );
    return found!;
  }

  /** Every event of the message carries a reported_ts. */
  async assertAcknowledged(alias: string): Promise<void> {
    await eventually(
      { description: `every event of "${alias}" to be marked as reported in its history`, timeoutMs: this.world.deliveryTimeoutMs },
      () => this.world.record(alias, true),
      (record) => (record.history ?? []).length > 0 && (record.history ?? []).every((e) => e.reported_ts !== null),
    );
  }

  // ------------------------------------------------------------------ clean-up and deletion

  async cleanup(olderThanSeconds?: number): Promise<void> {
    this.lastCleanup = await this.world.proxy.messages.cleanup(this.world.tenantId!, olderThanSeconds);
  }

  /**
   * Cleans up with a retention of 0 s, once the clock has passed the last report time of
   * the tenant's messages (reported_ts has whole seconds; the proxy removes reports
   * strictly older than "now").
   */
  async cleanupEverythingReported(): Promise<void> {
    const list = await this.world.proxy.messages.list(this.world.tenantId!, { includeHistory: true });
    const reported = list.flatMap((m: MessageRecord) => m.history ?? []).map((e: HistoryEvent) => e.reported_ts ?? 0);
    const last = Math.max(0, ...reported);
    await eventually(
      { description: `the clock to pass the last report time (${last})`, timeoutMs: 2000, intervalMs: 50 },
      () => Math.floor(Date.now() / 1000),
      (now) => now > last,
    );
    await this.cleanup(0);
  }

  async listedIds(): Promise<string[]> {
    return (await this.world.proxy.messages.list(this.world.tenantId!)).map((m) => m.id);
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

  /** No mail for the message until its scheduled time has passed, and a quiet period after. */
  async assertNeverDelivered(alias: string): Promise<void> {
    const scheduled = this.world.message(alias).deferred_ts;
    if (scheduled === undefined) throw new Error(`message "${alias}" was not scheduled`);
    const periodMs = Math.max(0, scheduled * 1000 - Date.now()) + this.world.quietPeriodMs;
    await consistently(
      { description: `no mail "${alias}" in the sink`, timeoutMs: periodMs, intervalMs: 200 },
      () => this.world.mailsFor(alias),
      (mails) => mails.length === 0,
    );
  }
}
