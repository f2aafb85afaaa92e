/**
 * Accounts with a sending limit (`limit_per_minute` and `limit_behavior` of the account)
 * and what the rate-limit scenarios check: how many of a group of messages got through
 * at once, why the others were held back or refused, and how the deliveries are spaced.
 *
 * Reach it as `world.use(SendingLimits.forScenario)`.
 */
import { SENDING_LIMIT_REST_S } from '../base/timeouts.js';
import { expect } from 'chai';
import { attemptEvents, type MessageRecord } from '../clients/proxy-api.js';
import { TenantKeys } from './tenant-keys.js';
import { eventually, GiveUp } from '../base/eventually.js';
import type { GenroWorld } from '../cucumber/world.js';

export type LimitBehavior = 'defer' | 'reject';

/** How 0.7.0 and a reader name the reason: "rate_limit", "rate_limit_exceeded", "sending limit". */
const LIMIT_REASON = /rate[ _-]?limit|sending limit/i;


/** The proxy counts sends in whole seconds, and records a send in a clock call of its own, a moment after it counted it. */
const WINDOW_SLACK_MS = 2000;

export interface Delivery {
  alias: string;
  /** When it was delivered, epoch ms: when the sink received it, or when the proxy says it sent it (on the proxy's clock). */
  at: number;
}

export class SendingLimits {
  /** The group of messages the scenario submitted at once. */
  group: string[] = [];
  /** The members of the group delivered at once. */
  firstThrough: string[] = [];
  /** The messages seen held back for the limit, in the order checked. */
  private readonly heldBack: string[] = [];

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): SendingLimits {
    return new SendingLimits(world);
  }

  /** A tenant whose account on the mail sink may send `perMinute` messages a minute. */
  async limitedAccount(perMinute: number, behavior: LimitBehavior): Promise<void> {
    await this.world.createTenant();
    await this.world.createSinkAccount({ limit_per_minute: perMinute, limit_behavior: behavior });
  }

  /**
   * Two tenants, each with an account of the same id on the mail sink and the same limit.
   * The id is the scenario's own, so no other scenario shares the account name.
   */
  async sameAccountForTwoTenants(names: [string, string], perMinute: number, behavior: LimitBehavior): Promise<void> {
    const keys = this.world.use(TenantKeys.forScenario);
    const accountId = `mailer-${this.world.sid}`;
    for (const name of names) {
      this.world.tenantId = await keys.createTenant(name);
      await this.world.createSinkAccount({ id: accountId, limit_per_minute: perMinute, limit_behavior: behavior });
    }
  }

  /** The messages each named tenant submitted, by tenant name. */
  private readonly byTenant = new Map<string, string[]>();
  /** When the first tenant's group was submitted (epoch ms): its sends, which the limits count, come after. */
  private firstSubmittedAt: number | undefined;

  /**
   * `count` messages from the named tenant ("acme-1", "acme-2", …), submitted together
   * through its account of the shared name. When an earlier tenant submitted its own,
   * this must still be within the minute of its sends, or the scenario would check nothing.
   */
  async tenantSubmitsGroup(name: string, count: number): Promise<void> {
    const keys = this.world.use(TenantKeys.forScenario);
    const aliases = Array.from({ length: count }, (_, i) => `${name}-${i + 1}`);
    this.byTenant.set(name, aliases);
    this.firstSubmittedAt ??= Date.now();
    const since = Date.now() - this.firstSubmittedAt;
    if (since >= 60_000 - WINDOW_SLACK_MS) {
      throw new Error(`${name}'s messages come ${since} ms after the scenario's first ones: not within the same minute, so a shared limit would not show`);
    }
    await this.world.submit(aliases.map((alias) => ({ alias, message: this.world.draft(alias, { tenant_id: keys.tenantId(name) }) })));
  }

  /**
   * Exactly `limit` of the named tenant's messages are sent, each delivered once with no
   * other attempt; the rest fail at their first attempt for the limit, with no mail.
   * Exactly, not at least: a limit that lets one more through, or one fewer, fails.
   */
  async assertTenantGotItsLimit(name: string, limit: number): Promise<void> {
    const aliases = this.byTenant.get(name);
    if (!aliases) throw new Error(`${name} submitted no messages in this scenario`);
    const records = await Promise.all(aliases.map(async (alias) => ({ alias, record: await this.world.finalRecord(alias) })));
    const sent = records.filter((r) => r.record.status === 'sent').map((r) => r.alias);
    const others = records.filter((r) => r.record.status !== 'sent');
    const described = others.map((r) => `${r.alias}: ${r.record.status} ${r.record.error ?? ''}`.trim()).join('; ') || 'none';
    expect(sent, `the messages of ${name} sent within the minute (its limit: ${limit}; the others: ${described})`).to.have.length(limit);
    for (const alias of sent) {
      await this.world.deliveredMail(alias);
      expect(attemptEvents(await this.world.record(alias, true)).map((e) => e.event_type), `the attempts of "${alias}"`).to.deep.equal(['sent']);
    }
    for (const alias of sent) await this.world.assertDeliveredOnce(alias);
    for (const { alias } of others) await this.assertFailsForTheLimit(alias);
  }

  async submitGroup(count: number): Promise<void> {
    this.group = Array.from({ length: count }, (_, i) => `limited-${i + 1}`);
    await this.world.submit(this.group.map((alias) => ({ alias, message: this.world.draft(alias) })));
  }

  /** The members of the group that have a mail in the sink, with the time it arrived. */
  async deliveries(): Promise<Delivery[]> {
    const found = await Promise.all(this.group.map(async (alias) => ({ alias, mails: await this.world.mailsFor(alias) })));
    return found.filter((f) => f.mails.length > 0).map((f) => ({ alias: f.alias, at: Math.min(...f.mails.map((m) => Date.parse(m.Created))) }));
  }

  /** Waits for `count` members of the group in the sink, then checks that no more got through. */
  async assertDeliveredAtOnce(count: number): Promise<void> {
    const delivered = await eventually(
      { description: `${count} of the ${this.group.length} messages to reach the sink`, timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 100 },
      () => this.deliveries(),
      (d) => d.length >= count,
    );
    expect(delivered.map((d) => d.alias), `messages of the group delivered at once (limit ${count})`).to.have.length(count);
    this.firstThrough = delivered.map((d) => d.alias);
  }

  /** The members of the group that were not delivered at once. */
  get others(): string[] {
    return this.group.filter((alias) => !this.firstThrough.includes(alias));
  }

  private static limitEvent(record: MessageRecord, type: 'deferred' | 'error') {
    return (record.history ?? []).find((e) => e.event_type === type && LIMIT_REASON.test(e.description ?? ''));
  }

  /** Every other member waits (status "deferred") with an event that names the sending limit. */
  async assertOthersHeldBack(count: number): Promise<void> {
    expect(this.others, 'messages not delivered at once').to.have.length(count);
    for (const alias of this.others) await this.assertHeldBack(alias);
  }

  /**
   * Every message held back for the limit was deferred to the start of the next minute of
   * the proxy's clock (docs/rate_limiting.rst, "Deferred Messages": "Deferred to next
   * minute boundary"): each of its deferrals for the limit so far is due (deferred_ts, in
   * its history) at the first whole minute after that deferral. Both times are the proxy's.
   * It reads its clock for the limit a moment before it stamps the event, so the minute
   * after the second before the event is right too. Every deferral, not only the first:
   * a proxy that deferred by a second would meet a minute by chance once in 60.
   */
  async assertHeldUntilTheNextMinute(): Promise<void> {
    if (this.heldBack.length === 0) throw new Error('no message of this scenario was seen held back');
    for (const alias of this.heldBack) {
      const record = await this.world.record(alias, true);
      const deferrals = attemptEvents(record).filter((e) => e.event_type === 'deferred' && LIMIT_REASON.test(e.description ?? ''));
      const shown = JSON.stringify(attemptEvents(record).map((e) => ({ type: e.event_type, at: e.event_ts, text: e.description, ...(e.metadata ?? {}) })));
      expect(deferrals, `deferrals for the limit in the attempts of "${alias}": ${shown}`).to.not.be.empty;
      deferrals.forEach((deferral, i) => {
        const nextMinutes = [...new Set([deferral.event_ts - 1, deferral.event_ts].map((t) => (Math.floor(t / 60) + 1) * 60))];
        expect(nextMinutes, `the start of the next minute after deferral ${i + 1} of "${alias}", against its due time, in ${shown}`).to.include(deferral.metadata?.deferred_ts);
      });
    }
  }

  /** The message waits (status "deferred") with an event that names the sending limit. */
  async assertHeldBack(alias: string): Promise<void> {
    await eventually(
      { description: `message "${alias}" to be deferred, with the sending limit as the reason`, timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 100 },
      async () => {
        const record = await this.world.record(alias, true);
        if (record.status === 'error' || record.status === 'sent') {
          throw new GiveUp(`message "${alias}" was not held back: it is ${record.status}${record.error ? `, error: ${record.error}` : ''}`);
        }
        return { status: record.status, history: (record.history ?? []).map((e) => `${e.event_type}: ${e.description}`) };
      },
      (seen) => seen.status === 'deferred' && seen.history.some((line) => line.startsWith('deferred: ') && LIMIT_REASON.test(line)),
    );
    this.heldBack.push(alias);
  }

  /** Every other member ends in error, the error naming the sending limit, and has no mail. */
  async assertOthersFail(count: number): Promise<void> {
    expect(this.others, 'messages not delivered at once').to.have.length(count);
    for (const alias of this.others) await this.assertFailsForTheLimit(alias);
  }

  /** The message fails at its first attempt, with one error event naming the limit, and no mail for it arrives. */
  async assertFailsForTheLimit(alias: string): Promise<void> {
    const record = await this.world.finalRecord(alias);
    expect({ status: record.status, error: record.error }, `the outcome of "${alias}"`).to.deep.include({ status: 'error' });
    expect(record.error ?? '', `the error of "${alias}"`).to.match(LIMIT_REASON);
    expect(SendingLimits.limitEvent(record, 'error'), `an error event naming the sending limit in the history of "${alias}"`).to.not.equal(undefined);
    expect(attemptEvents(record).map((e) => `${e.event_type}: ${e.description}`), `the attempts of "${alias}"`).to.deep.equal([`error: ${record.error}`]);
    await this.world.assertNotDelivered(alias);
  }

  /**
   * Waits until the whole group is delivered (a limit per minute lets the rest through
   * within two minutes), then checks that no more than `perMinute` arrived within any minute.
   */
  async assertRestDeliveredSpaced(perMinute: number): Promise<void> {
    await eventually(
      { description: `all ${this.group.length} messages to reach the sink, the limit letting the rest through within two minutes (${SENDING_LIMIT_REST_S} s of the proxy's clock)`, timeoutMs: this.world.proxyClock.realMsFor(SENDING_LIMIT_REST_S), intervalMs: 250 },
      async () => {
        const delivered = await this.deliveries();
        for (const alias of this.others.filter((a) => !delivered.some((d) => d.alias === a))) {
          const record = await this.world.record(alias);
          if (record.status === 'error') throw new GiveUp(`message "${alias}" ended in error: ${record.error ?? '(no error text)'}`);
        }
        return delivered;
      },
      (d) => d.length === this.group.length,
    );
    // The minute is the proxy's: its own record of each send, on its clock (a controlled clock may run faster than the sink's).
    const sent = await Promise.all(this.group.map(async (alias) => {
      const record = await this.world.record(alias, true);
      const events = (record.history ?? []).filter((e) => e.event_type === 'sent');
      expect(events, `the 'sent' events of "${alias}" (history: ${JSON.stringify(record.history)})`).to.have.length(1);
      return { alias, at: events[0]!.event_ts * 1000 };
    }));
    expect(crowdedMinutes(sent, perMinute), `more than ${perMinute} sends within one minute of the proxy's clock`).to.deep.equal([]);
  }
}

/**
 * Each run of `perMinute + 1` consecutive deliveries that fits within a minute (less the
 * slack for whole-second counting), described "a 12:00:01.2, b 12:00:30.0, c 12:00:58.9".
 */
export function crowdedMinutes(deliveries: Delivery[], perMinute: number): string[] {
  const sorted = [...deliveries].sort((a, b) => a.at - b.at);
  const crowded: string[] = [];
  for (let i = 0; i + perMinute < sorted.length; i += 1) {
    const run = sorted.slice(i, i + perMinute + 1);
    if (run.at(-1)!.at - run[0]!.at < 60_000 - WINDOW_SLACK_MS) {
      crowded.push(run.map((d) => `${d.alias} ${new Date(d.at).toISOString().slice(11, 23)}`).join(', '));
    }
  }
  return crowded;
}
