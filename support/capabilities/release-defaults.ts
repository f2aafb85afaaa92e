/**
 * Settings the docs give a proxy by default or through environment variables, checked on a
 * proxy of the scenario's own started with them (support/stack/types.ts, ProxyOptions
 * releaseRetry and environment):
 *  - the release's own retry settings, instead of the suite's short delays (features/faults.feature);
 *  - the global delivery report address and its token, GMP_CLIENT_SYNC_URL and
 *    GMP_CLIENT_SYNC_TOKEN (docs/network_requirements.rst), for tenants without an address
 *    of their own (features/global-reports.feature).
 *
 * Reach it as `world.use(ReleaseDefaults.forScenario)`.
 */
import { expect } from 'chai';
import { eventually, GiveUp } from '../base/eventually.js';
import { ScenarioSecrets } from '../base/secrets.js';
import { attemptEvents, type HistoryEvent } from '../clients/proxy-api.js';
import { CallbackReceiver } from '../partners/callback-receiver.js';
import { RefusingSmtpServer } from '../partners/refusing-smtp-server.js';
import { OwnProxy } from './own-proxy.js';
import type { GenroWorld } from '../cucumber/world.js';

/** Where, under the application's server, the operator's global report address points. */
const GLOBAL_SYNC_PATH = '/operator/mail-proxy-sync';

/** Seconds a whole-second time may differ from a millisecond one. */
const ROUNDING_S = 1.5;

export class ReleaseDefaults {
  private globalToken: string | undefined;

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): ReleaseDefaults {
    return new ReleaseDefaults(world);
  }

  // ------------------------------------------------------------------ retries

  async startWithReleaseRetry(): Promise<void> {
    await this.world.use(OwnProxy.forScenario).start({ label: 'release-retry', releaseRetry: true });
  }

  private attemptsAtServer(alias: string): { at: number }[] {
    const recipient = this.world.address(`${alias}-recipient`);
    return this.world.use(RefusingSmtpServer.forScenario).attempts.filter((a) => a.to.includes(recipient));
  }

  private static shown(events: HistoryEvent[]): string {
    return JSON.stringify(events.map((e) => ({ type: e.event_type, at: e.event_ts, text: e.description, ...(e.metadata ?? {}) })));
  }

  /**
   * Waits until the message has `count` attempts, each refused by the mail server, and
   * returns them; gives up when it is sent or fails instead.
   */
  private async deferrals(alias: string, count: number, timeoutMs: number): Promise<HistoryEvent[]> {
    return eventually(
      { description: `${count} deferral(s) of "${alias}" (its attempts)`, timeoutMs, intervalMs: 250, context: () => this.world.nearby(alias) },
      async () => {
        const attempts = attemptEvents(await this.world.record(alias, true));
        const ended = attempts.find((e) => e.event_type !== 'deferred');
        if (ended) throw new GiveUp(`message "${alias}" ended ${ended.event_type === 'error' ? `in error: ${ended.description ?? ''}` : ended.event_type}; its attempts: ${ReleaseDefaults.shown(attempts)}`);
        return attempts;
      },
      (attempts) => attempts.length >= count,
    );
  }

  /**
   * Attempt number `n` (1 = the first) is deferred with retry_count n, its retry due exactly
   * `seconds` after it; the message details show that due time; the mail server saw exactly
   * n attempts; and attempt n came no earlier than the retry time of attempt n - 1.
   */
  async assertDeferredWithDelay(alias: string, n: number, seconds: number): Promise<void> {
    const previous = n > 1 ? (await this.deferrals(alias, n - 1, this.world.deliveryTimeoutMs))[n - 2]! : undefined;
    const clock = this.world.proxyClock;
    // The retry is due on the proxy's clock (a controlled clock may run faster than the real one).
    const dueMs = previous ? clock.realAt(Number(previous.metadata?.deferred_ts) * 1000) - Date.now() : 0;
    const attempts = await this.deferrals(alias, n, Math.max(0, dueMs) + this.world.deliveryTimeoutMs);
    const shown = ReleaseDefaults.shown(attempts);
    expect(attempts, `attempts of "${alias}": ${shown}`).to.have.length(n);
    const deferral = attempts[n - 1]!;
    expect({ retry_count: deferral.metadata?.retry_count, retry_at: deferral.metadata?.deferred_ts }, `deferral ${n} of "${alias}" (its time plus ${seconds} s) in ${shown}`)
      .to.deep.equal({ retry_count: n, retry_at: deferral.event_ts + seconds });
    if (previous) expect(deferral.event_ts, `attempt ${n} against the retry time of attempt ${n - 1} in ${shown}`).to.be.at.least(Number(previous.metadata?.deferred_ts));
    const record = await this.world.record(alias);
    expect({ status: record.status, due: record.deferred_ts }, `"${alias}" in the message details`).to.deep.equal({ status: 'deferred', due: deferral.event_ts + seconds });
    const atServer = this.attemptsAtServer(alias);
    expect(atServer, `attempts of "${alias}" at the mail server`).to.have.length(n);
    expect(deferral.event_ts, `deferral ${n} against the attempt the mail server saw (on the proxy's clock)`)
      .to.be.closeTo(clock.at(atServer[n - 1]!.at) / 1000, ROUNDING_S + clock.uncertaintyMs / 1000);
  }

  // ------------------------------------------------------------------ the global report address

  /**
   * A proxy of the scenario's own whose global delivery report address is the application's
   * (GMP_CLIENT_SYNC_URL) with a bearer token of the operator's (GMP_CLIENT_SYNC_TOKEN).
   */
  async startWithGlobalReportAddress(): Promise<void> {
    const receiver = this.world.use(CallbackReceiver.forScenario);
    const base = await receiver.start(this.world.session.endpoints.partners);
    this.globalToken = this.world.use(ScenarioSecrets.forScenario).make('the global delivery report token');
    await this.world.use(OwnProxy.forScenario).start({
      label: 'global-sync',
      environment: { GMP_CLIENT_SYNC_URL: `${base}${GLOBAL_SYNC_PATH}`, GMP_CLIENT_SYNC_TOKEN: this.globalToken },
    });
  }

  /** Every call with a report item for the message came to the global address with the global token. */
  assertReportedThroughGlobalAddress(alias: string): void {
    const calls = this.world.use(CallbackReceiver.forScenario).requestsWithItemFor(this.world.messageId(alias));
    expect(calls.map((r) => ({ method: r.method, path: r.path, bearer: r.headers.authorization === `Bearer ${this.globalToken}` })), `calls with a report item for "${alias}"`)
      .to.deep.equal([{ method: 'POST', path: GLOBAL_SYNC_PATH, bearer: true }]);
  }
}
