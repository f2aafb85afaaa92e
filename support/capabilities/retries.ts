/**
 * How the proxy waits between attempts after a temporary refusal (features/faults.feature):
 * when the deferral says the retry is due, and that nothing is tried before then. The
 * scenario's account points at the suite's SMTP server that refuses the message data
 * (support/partners/refusing-smtp-server.ts), which records every attempt it sees, so the
 * attempts are counted at the mail server, not only in the proxy's history.
 *
 * A scenario that watches the wait runs on a proxy of its own with a long first delay
 * (tags @own-proxy @retry-delay-10s, support/cucumber/tagged-hooks.ts).
 *
 * Reach it as `world.use(Retries.forScenario)`.
 */
import { expect } from 'chai';
import { consistently, eventually } from '../base/eventually.js';
import type { HistoryEvent } from '../clients/proxy-api.js';
import { CallbackReceiver } from '../partners/callback-receiver.js';
import { RefusingSmtpServer } from '../partners/refusing-smtp-server.js';
import type { GenroWorld } from '../cucumber/world.js';

/** The deferral's times are whole seconds; the attempt's are milliseconds. */
const ROUNDING_S = 1.5;
/** The watch ends this long before the retry is due, so that the retry itself is not seen as early. */
const BEFORE_DUE_MS = 1000;

export interface RefusedAttempt {
  /** When the mail server saw the attempt (ms since the epoch). */
  at: number;
  /** The deferral the proxy recorded for it. */
  deferral: HistoryEvent;
  /** When the retry is due, from the message details (epoch seconds). */
  dueTs: number;
}

export class Retries {
  private readonly attempts = new Map<string, RefusedAttempt>();

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): Retries {
    return new Retries(world);
  }

  /** The first retry delay of the proxy this scenario talks to, in seconds. */
  get firstRetryDelay(): number {
    return this.world.retryDelays[0] ?? 0;
  }

  private get server(): RefusingSmtpServer {
    return this.world.use(RefusingSmtpServer.forScenario);
  }

  private attemptsAtServer(alias: string): { at: number }[] {
    const recipient = this.world.address(`${alias}-recipient`);
    return this.server.attempts.filter((a) => a.to.includes(recipient));
  }

  /** Waits for the first attempt at the mail server and the deferral the proxy records for it. */
  async refusedAttempt(alias: string): Promise<RefusedAttempt> {
    const known = this.attempts.get(alias);
    if (known) return known;
    const seen = await eventually(
      { description: `a refused attempt of "${alias}" at the mail server, and its deferral in the history and the message details`, timeoutMs: this.world.deliveryTimeoutMs, context: () => this.world.nearby(alias) },
      async () => {
        const record = await this.world.record(alias, true);
        return { attempts: this.attemptsAtServer(alias), deferrals: (record.history ?? []).filter((e) => e.event_type === 'deferred'), status: record.status, dueTs: record.deferred_ts };
      },
      (s) => s.attempts.length > 0 && s.deferrals.length > 0 && s.dueTs !== null,
    );
    const attempt = { at: seen.attempts[0]!.at, deferral: seen.deferrals[0]!, dueTs: seen.dueTs! };
    this.attempts.set(alias, attempt);
    return attempt;
  }

  /** The message is deferred, and its details say the retry is due `seconds` after the refused attempt. */
  async assertDueAfter(alias: string, seconds: number): Promise<void> {
    if (this.firstRetryDelay !== seconds) {
      throw new Error(`the scenario's proxy waits ${this.firstRetryDelay} s before its first retry, not ${seconds} s: tag the scenario @own-proxy @retry-delay-${seconds}s`);
    }
    const { at, deferral, dueTs } = await this.refusedAttempt(alias);
    expect(await this.world.status(alias), `status of "${alias}" after the refused attempt`).to.deep.equal({ fromGet: 'deferred', fromList: 'deferred' });
    expect(deferral.metadata?.deferred_ts, `when the deferral says the retry is due (history: ${JSON.stringify(deferral)})`).to.equal(dueTs);
    const afterAttempt = dueTs - at / 1000;
    expect(afterAttempt, `seconds from the refused attempt (${new Date(at).toISOString()}) to the retry the message details announce (${new Date(dueTs * 1000).toISOString()})`)
      .to.be.within(seconds - ROUNDING_S, seconds + ROUNDING_S);
  }

  /** Until just before the retry is due: still deferred, one attempt at the mail server, one attempt in the history. */
  async assertUntriedUntilDue(alias: string): Promise<void> {
    const { dueTs } = await this.refusedAttempt(alias);
    const periodMs = dueTs * 1000 - BEFORE_DUE_MS - Date.now();
    if (periodMs < this.world.quietPeriodMs) throw new Error(`the retry of "${alias}" is due too soon (${periodMs} ms) to watch that nothing happens before it: give the scenario a longer retry delay`);
    await consistently(
      { description: `"${alias}" deferred, with one attempt at the mail server and in its history, until its retry is due at ${new Date(dueTs * 1000).toISOString()}`, timeoutMs: periodMs, intervalMs: 250 },
      async () => {
        const record = await this.world.record(alias, true);
        const inHistory = (record.history ?? []).filter((e) => ['sent', 'error', 'deferred'].includes(e.event_type)).map((e) => e.event_type);
        return { status: record.status, atServer: this.attemptsAtServer(alias).length, inHistory };
      },
      (s) => s.status === 'deferred' && s.atServer === 1 && s.inHistory.length === 1,
    );
  }

  // ------------------------------------------------------------------ the last retry

  /** How many times the proxy retries before it gives up (the launcher's --max-retries). */
  get maxRetries(): number {
    return this.world.session.config.proxy.maxRetries;
  }

  /**
   * The message is deferred at the first refusal and at every retry but the last, with the
   * retry count going up and the server's code as the reason, and then ends in error
   * with that code; the mail server saw the first attempt and one per retry, no more.
   */
  async assertGivesUpAfterLastRetry(alias: string, code: string): Promise<void> {
    const record = await this.world.finalRecord(alias, this.world.retryTimeoutMs);
    const mentions = (text: string | null) => ((text ?? '').includes(code) ? `mentions ${code}` : `"${text ?? ''}"`);
    const seen = (record.history ?? [])
      .filter((e) => ['sent', 'error', 'deferred'].includes(e.event_type))
      .sort((a, b) => a.event_id - b.event_id)
      .map((e) => (e.event_type === 'deferred' ? `deferred (retry ${String(e.metadata?.retry_count)}): ${mentions(e.description)}` : `${e.event_type}: ${mentions(e.description)}`));
    const expected = [...Array.from({ length: this.maxRetries }, (_, i) => `deferred (retry ${i + 1}): mentions ${code}`), `error: mentions ${code}`];
    expect(seen.join('; '), `attempts of "${alias}", oldest first, with ${this.maxRetries} retries configured`).to.equal(expected.join('; '));
    await this.server.expectAttempts(this.world.address(`${alias}-recipient`), this.maxRetries + 1, this.world.retryWindowMs);
  }

  /** The application receives one report that the message failed, whose error mentions `text`. */
  async assertToldOfFailure(alias: string, text: string): Promise<void> {
    const receiver = this.world.use(CallbackReceiver.forScenario);
    const { item } = await receiver.waitForItem(this.world.messageId(alias), `a report that "${alias}" failed`, this.world.deliveryTimeoutMs + this.world.quietPeriodMs, (i) => 'error' in i);
    expect(String(item.error), `the error in the report that "${alias}" failed`).to.include(text);
  }
}
