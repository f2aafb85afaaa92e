/**
 * What the persistence scenarios check about restarts, retries and the clean-up: built on
 * the scenario's own proxy (support/capabilities/own-proxy.ts) when it restarts one, on
 * the worker's main proxy otherwise.
 *
 * Reach it as `world.use(Persistence.forScenario)`.
 */
import { expect } from 'chai';
import type { HistoryEvent, MessageRecord } from '../clients/proxy-api.js';
import { consistently, eventually, GiveUp } from '../base/eventually.js';
import { OwnProxy } from './own-proxy.js';
import { FaultInjection } from './faults.js';
import { expectAsSubmitted } from '../mail/mail-expectations.js';
import type { GenroWorld } from '../cucumber/world.js';

export class Persistence {
  /** The answer of the last clean-up. */
  lastCleanup: { ok: boolean; removed: number } | undefined;

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): Persistence {
    return new Persistence(world);
  }

  get own(): OwnProxy {
    return this.world.use(OwnProxy.forScenario);
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

  /**
   * The restart ended before the message was due, and the proxy still has it due at the
   * time it had before: the retry time of its last deferral, or the time it was scheduled for.
   */
  async assertRestartedBeforeDue(alias: string): Promise<void> {
    const restart = this.own.lastRestart;
    if (!restart) throw new Error('the proxy has not been restarted in this scenario');
    const due = await this.dueAt(alias);
    const history = ((await this.world.record(alias, true)).history ?? []).filter((e) => e.event_type === 'deferred').sort((a, b) => a.event_id - b.event_id);
    const before = (history.at(-1)?.metadata?.deferred_ts as number | undefined) ?? this.world.message(alias).deferred_ts;
    expect(due / 1000, `the time "${alias}" is due after the restart, against the time it was due before`).to.equal(before);
    expect(restart.ready, `the restart (ready at ${new Date(restart.ready).toISOString()}) must end before "${alias}" is due at ${new Date(due).toISOString()}, or the scenario proves nothing`).to.be.below(due);
  }

  /**
   * Waits for the message to be sent at its retry (gives up at once if it ends in error);
   * then: one mail, as submitted, that reached the sink no earlier than the retry time;
   * 'sent' in both views; its attempts the deferral(s), then one 'sent' and no error.
   */
  async deliveredAtRetry(alias: string): Promise<void> {
    const message = this.world.message(alias);
    const due = await this.dueAt(alias);
    const timeoutMs = Math.max(0, due - Date.now()) + this.world.deliveryTimeoutMs;
    await eventually(
      { description: `message "${alias}" to be sent at its retry`, timeoutMs, intervalMs: 200 },
      async () => {
        const listed = (await this.world.proxy.messages.list(message.tenant_id)).find((m) => m.id === message.id);
        if (listed?.status === 'error') throw new GiveUp(`the message "${alias}" ended in error instead of being delivered: ${listed.error}`);
        return listed?.status;
      },
      (status) => status === 'sent',
    );
    const mail = await this.world.deliveredMail(alias);
    await this.world.assertDeliveredOnce(alias);
    expectAsSubmitted(this.world, alias, mail);
    const [summary] = await this.world.mailsFor(alias);
    expect(Date.parse(summary!.Created), `the time the sink received "${alias}" against its retry time (${new Date(due).toISOString()})`).to.be.at.least(due);
    await this.world.waitForStatus(alias, 'sent');
    this.world.use(FaultInjection.forScenario).assertDeferredThenSent(alias, await this.world.record(alias, true), '');
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

  // ------------------------------------------------------------------ clean-up

  async cleanup(olderThanSeconds?: number): Promise<void> {
    this.lastCleanup = await this.world.proxy.messages.cleanup(this.world.tenantId!, olderThanSeconds);
  }

  /**
   * Cleans up with a retention of 0 s, once the clock has passed the last report time of
   * the tenant's messages (reported_ts has whole seconds; the proxy removes reports
   * strictly older than "now").
   */
  async cleanupEverythingReported(): Promise<void> {
    const list = await this.world.proxy.messages.list(this.world.tenantId, { includeHistory: true });
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
    return (await this.world.proxy.messages.list(this.world.tenantId)).map((m) => m.id);
  }
}
