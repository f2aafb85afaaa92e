/**
 * Sending limits by the minute, the hour and the day, and for a whole tenant
 * (features/limit-rules.feature). The docs say when a held message is due: at the start of
 * the next minute, hour or day (midnight UTC), and they show it in the message's
 * deferred_ts. The scenarios read that time instead of waiting an hour for it.
 *
 * Reach it as `world.use(LimitWindows.forScenario)`.
 */
import { expect } from 'chai';
import { consistently, eventually, GiveUp } from '../base/eventually.js';
import { attemptEvents, type HistoryEvent, type MessageRecord } from '../clients/proxy-api.js';
import { SendingLimits } from './sending-limits.js';
import type { GenroWorld } from '../cucumber/world.js';

/** How 0.7.0 and a reader name the reason: "rate_limit", "rate_limit_exceeded", "sending limit". */
const LIMIT_REASON = /rate[ _-]?limit|sending limit/i;

export type Window = 'minute' | 'hour' | 'day';

export const WINDOW_SECONDS: Record<Window, number> = { minute: 60, hour: 3600, day: 86_400 };

const LIMIT_FIELD: Record<Window, 'limit_per_minute' | 'limit_per_hour' | 'limit_per_day'> = {
  minute: 'limit_per_minute',
  hour: 'limit_per_hour',
  day: 'limit_per_day',
};

/** "1 a minute", "1 an hour", "1 a day" → the count and the window. */
export function parseLimit(text: string): { count: number; window: Window } {
  const m = /^(\d+) an? (minute|hour|day)$/.exec(text.trim());
  if (!m) throw new Error(`a limit reads "1 a minute", "1 an hour" or "1 a day", not "${text}"`);
  return { count: Number(m[1]), window: m[2] as Window };
}

/** "the next whole minute", "the next whole hour", "the next midnight UTC" → the window whose start it is. */
export function parseDue(text: string): Window {
  const due: Record<string, Window> = { 'the next whole minute': 'minute', 'the next whole hour': 'hour', 'the next midnight UTC': 'day' };
  const window = due[text.trim()];
  if (!window) throw new Error(`a due time reads ${Object.keys(due).map((d) => `"${d}"`).join(', ')}, not "${text}"`);
  return window;
}

/**
 * The start of the next window after an event at `eventTs` (whole seconds). The proxy reads
 * its clock for the limit a moment before it stamps the event, so the start after the
 * second before the event is right too (they differ only when the event falls on a boundary).
 */
export function nextWindowStarts(eventTs: number, window: Window): number[] {
  const w = WINDOW_SECONDS[window];
  return [...new Set([eventTs - 1, eventTs].map((t) => (Math.floor(t / w) + 1) * w))];
}

function limitDeferrals(record: MessageRecord): HistoryEvent[] {
  return attemptEvents(record).filter((e) => e.event_type === 'deferred' && LIMIT_REASON.test(e.description ?? ''));
}

export class LimitWindows {
  /** The accounts of the scenario by the name the feature gives them, with their limit. */
  private readonly accounts = new Map<string, { id: string; window: Window }>();
  /** Per account, the alias of the message delivered at once. */
  private readonly firstThrough = new Map<string, string>();

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): LimitWindows {
    return new LimitWindows(world);
  }

  /** A tenant with one account on the mail sink per row, each with its one limit (held back when exceeded, the default). */
  async accountsWithLimits(rows: { account: string; limit: string }[]): Promise<void> {
    if (!this.world.tenantId) await this.world.createTenant();
    for (const { account, limit } of rows) {
      const { count, window } = parseLimit(limit);
      const id = `${account}-${this.world.sid}`;
      await this.world.createSinkAccount({ id, [LIMIT_FIELD[window]]: count });
      this.accounts.set(account, { id, window });
    }
  }

  private aliases(account: string): [string, string] {
    return [`${account}-1`, `${account}-2`];
  }

  /** Two messages through each account, all in one submission. */
  async submitTwoThroughEach(): Promise<void> {
    const drafts = [...this.accounts].flatMap(([name, { id }]) => this.aliases(name).map((alias) => ({ alias, message: this.world.draft(alias, { account_id: id }) })));
    await this.world.submit(drafts);
  }

  /** Through each account exactly one of its two messages reaches the sink. */
  async assertOneDeliveredThroughEach(): Promise<void> {
    const delivered = async () => Object.fromEntries(await Promise.all([...this.accounts.keys()].map(async (name) => {
      const through = [];
      for (const alias of this.aliases(name)) if ((await this.world.mailsFor(alias)).length > 0) through.push(alias);
      return [name, through] as const;
    })));
    const seen = await eventually(
      { description: 'one message through each account to reach the sink (the messages delivered, by account)', timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 100, context: () => this.world.nearby() },
      delivered,
      (d) => Object.values(d).every((through) => through.length > 0),
    );
    for (const [name, through] of Object.entries(seen)) {
      expect(through, `messages delivered at once through the account "${name}" (limit 1)`).to.have.length(1);
      this.firstThrough.set(name, through[0]!);
    }
  }

  /** The account's message that was not delivered at once. */
  heldMessage(account: string): string {
    const first = this.firstThrough.get(account);
    if (!first) throw new Error(`no message of the account "${account}" was seen delivered at once`);
    return this.aliases(account).find((a) => a !== first)!;
  }

  /**
   * The held message of each account is 'deferred' for the sending limit: its first deferral
   * names the limit and is due at the start of the next `due` window after it, the message's
   * deferred_ts is the due time of its latest deferral, and, for a quiet period, no mail of it
   * reaches the sink while the sender of the first message is not held.
   */
  async assertHeldUntil(rows: { account: string; due: string }[]): Promise<void> {
    const held = rows.map(({ account, due }) => ({ account, alias: this.heldMessage(account), window: parseDue(due) }));
    for (const { account, alias, window } of held) {
      const record = await eventually(
        { description: `message "${alias}" of the account "${account}" to be deferred, with the sending limit as the reason`, timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 100 },
        async () => {
          const r = await this.world.record(alias, true);
          if (r.status === 'sent' || r.status === 'error') throw new GiveUp(`message "${alias}" ended ${r.status}${r.error ? `: ${r.error}` : ''}; its attempts: ${JSON.stringify(attemptEvents(r))}`);
          return r;
        },
        (r) => r.status === 'deferred' && limitDeferrals(r).length > 0,
      );
      const deferrals = limitDeferrals(record);
      const first = deferrals[0]!;
      const shown = `the attempts of "${alias}": ${JSON.stringify(attemptEvents(record).map((e) => ({ type: e.event_type, at: e.event_ts, text: e.description, ...(e.metadata ?? {}) })))}`;
      expect(attemptEvents(record).every((e) => e.event_type === 'deferred' && LIMIT_REASON.test(e.description ?? '')), `only deferrals for the sending limit in ${shown}`).to.equal(true);
      expect(nextWindowStarts(first.event_ts, window), `the start of the next ${window} after the first deferral, against its due time, in ${shown}`).to.include(first.metadata?.deferred_ts);
      expect(record.deferred_ts, `deferred_ts of "${alias}", against its latest deferral, in ${shown}`).to.equal(deferrals.at(-1)!.metadata?.deferred_ts);
    }
    await consistently(
      { description: `no mail of the held messages ${held.map((h) => `"${h.alias}"`).join(', ')} in the sink`, timeoutMs: this.world.quietPeriodMs, intervalMs: 200 },
      async () => Object.fromEntries(await Promise.all(held.map(async ({ alias }) => [alias, (await this.world.mailsFor(alias)).length] as const))),
      (seen) => Object.values(seen).every((n) => n === 0),
    );
  }

  // ------------------------------------------------------------------ a tenant's own limit

  /**
   * A tenant whose own rate_limits allow `count` messages in the window (api_reference.rst:
   * "rate_limits": {"hourly": ..., "daily": ...}), with accounts on the mail sink that have
   * no limits of their own.
   */
  async tenantWithOwnLimit(count: number, window: Window, accounts: string[]): Promise<void> {
    const field = window === 'hour' ? 'hourly' : window === 'day' ? 'daily' : undefined;
    if (!field) throw new Error(`a tenant's limits are hourly or daily, not per ${window}`);
    await this.world.createTenant({ rate_limits: { [field]: count } });
    for (const account of accounts) {
      const id = `${account}-${this.world.sid}`;
      await this.world.createSinkAccount({ id });
      this.accounts.set(account, { id, window });
    }
  }

  /** One message through each account, in one submission; they form the group SendingLimits checks. */
  async submitOneThroughEach(): Promise<void> {
    const drafts = [...this.accounts].map(([name, { id }]) => ({ alias: `${name}-1`, message: this.world.draft(`${name}-1`, { account_id: id }) }));
    await this.world.submit(drafts);
    this.world.use(SendingLimits.forScenario).group = drafts.map((d) => d.alias);
  }
}
