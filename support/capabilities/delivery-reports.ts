/**
 * The application's side of delivery reports, as a tenant sees it: where the tenant's
 * reports go (the callback receiver, with a bearer token or basic credentials on a path
 * of its own), how the application answers them, and what the reports say (docs/sut-0.7.0.md, "HTTP routes the suite calls").
 *
 * Reach it as `world.use(DeliveryReports.forScenario)`.
 */
import { expect } from 'chai';
import type { TenantInput } from '../clients/proxy-api.js';
import { CallbackReceiver, type CallbackRequest, type ReportItem } from '../partners/callback-receiver.js';
import { consistently, eventually } from '../base/eventually.js';
import { randomSecret, ScenarioSecrets } from '../base/secrets.js';
import { OwnProxy } from './own-proxy.js';
import type { GenroWorld } from '../cucumber/world.js';

/** The path the proxy posts to when a tenant names none (docs/sut-0.7.0.md, "HTTP routes the suite calls"). */
export const STANDARD_SYNC_PATH = '/mail-proxy/sync';

export type ReportAuth = 'none' | 'bearer token' | 'basic authentication on its own path';

/** What a report item holds, in the words of the features, and the field of the item that holds it. */
const REPORT_PARTS: Record<string, string> = {
  'its id': 'id',
  'the time it was sent': 'sent_ts',
  'the time it failed': 'error_ts',
  'the error': 'error',
  'the time it was deferred': 'deferred_ts',
  'the reason': 'deferred_reason',
};

/** The field that marks a report item as saying the message was sent, failed or was deferred. */
const OUTCOME_FIELD: Record<string, string> = { 'was sent': 'sent_ts', failed: 'error_ts', 'was deferred': 'deferred_ts' };

export class DeliveryReports {
  readonly receiver: CallbackReceiver;
  bearerToken: string | undefined;
  basic: { user: string; password: string } | undefined;
  ownPath: string | undefined;
  /** How many calls the application had when the proxy showed the tenant in quiet time. */
  private quietSince: number | undefined;

  constructor(private readonly world: GenroWorld) {
    this.receiver = world.use(CallbackReceiver.forScenario);
  }

  static forScenario(world: GenroWorld): DeliveryReports {
    return new DeliveryReports(world);
  }

  /** Reports can take a delivery plus a report cycle. */
  get timeoutMs(): number {
    return this.world.deliveryTimeoutMs;
  }

  // ------------------------------------------------------------------ where reports go, and the answers

  /** The scenario's tenant sends its reports to the application (the receiver), authenticated as given. */
  async sendToApplication(auth: ReportAuth): Promise<void> {
    const tenantId = this.world.tenantId;
    if (!tenantId) throw new Error('create a tenant before pointing its delivery reports at the application');
    const fields: Omit<TenantInput, 'id'> = { client_base_url: await this.receiver.start(this.world.session.endpoints.partners) };
    if (auth === 'bearer token') {
      this.bearerToken = randomSecret();
      fields.client_auth = { method: 'bearer', token: this.bearerToken };
    } else if (auth === 'basic authentication on its own path') {
      this.basic = { user: `app-${this.world.sid}`, password: randomSecret() };
      this.ownPath = `/apps/${this.world.sid}/mail-reports`;
      fields.client_sync_path = this.ownPath;
      fields.client_auth = { method: 'basic', user: this.basic.user, password: this.basic.password };
    }
    await this.world.proxy.tenants.update(tenantId, fields);
  }

  refuseNextReport(): void {
    this.receiver.answerNextReport({ status: 500, body: { error: 'the application is restarting' } });
  }

  refuseReportsForNow(): void {
    this.receiver.answerAlways({ status: 503, body: { error: 'the application is down' } });
  }

  acceptReportsAgain(): void {
    this.receiver.answerAlways({ status: 200, body: { ok: true } });
  }

  answerWithPlainTextOk(): void {
    this.receiver.answerAlways({ status: 200, body: 'OK' });
  }

  askForQuietTime(seconds: number): void {
    this.receiver.answerAlways({ status: 200, body: { ok: true, next_sync_after: Math.floor(Date.now() / 1000) + seconds } });
  }

  /** Submits the message; the application accepts its report of the sending, and the proxy records that. */
  async sentAndAcknowledged(alias: string): Promise<void> {
    await this.world.submit([{ alias, message: this.world.draft(alias) }]);
    await this.reportOf(alias, { answered: 'accepted' });
    await this.assertAcknowledged(alias);
  }

  /** From now on the application refuses reports; the message is delivered and its report refused. */
  async deliveredButRefused(alias: string): Promise<void> {
    this.refuseReportsForNow();
    await this.world.submit([{ alias, message: this.world.draft(alias) }]);
    await this.world.deliveredMail(alias);
    await this.reportOf(alias, { answered: 'refused' });
  }

  // ------------------------------------------------------------------ the reports that arrive

  /** Waits for a report item of the message: the first, the second, or the second after the proxy started again. */
  async waitForReport(alias: string, which: 'first' | 'again' | 'again after the restart'): Promise<void> {
    const id = this.world.messageId(alias);
    if (which === 'first') {
      await this.receiver.waitForItem(id, `a delivery report for "${alias}"`, this.timeoutMs);
    } else if (which === 'again') {
      await this.receiver.waitForItem(id, `a second delivery report for "${alias}"`, this.timeoutMs, () => true, 2);
    } else {
      const { request } = await this.receiver.waitForItem(id, `a delivery report for "${alias}" after the restart`, this.timeoutMs, () => true, 2);
      expect(request.receivedAt, 'received after the restart began').to.be.greaterThan(this.world.restartedAt!);
      expect(request.answeredStatus, 'and accepted').to.equal(200);
    }
  }

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

  /** As reportOf, accepted after the scenario's own proxy stopped for its last restart. */
  async acceptedFromRestartedProxy(alias: string): Promise<void> {
    const restart = this.world.use(OwnProxy.forScenario).lastRestart;
    if (!restart) throw new Error('the proxy has not been restarted in this scenario');
    await this.reportOf(alias, { answered: 'accepted', after: restart.stopped });
  }

  /** Every event of the message carries a reported_ts. */
  async assertAcknowledged(alias: string): Promise<void> {
    await eventually(
      { description: `every event of "${alias}" to be marked as reported in its history`, timeoutMs: this.world.deliveryTimeoutMs },
      () => this.world.record(alias, true),
      (record) => (record.history ?? []).length > 0 && (record.history ?? []).every((e) => e.reported_ts !== null),
    );
  }

  /** No report item for the message during a quiet period: none more than already came, or none at all. */
  async assertNoReport(alias: string, counting: 'further' | 'at all'): Promise<void> {
    if (counting === 'further') await this.receiver.expectNoItemFor(this.world.messageId(alias), this.world.quietPeriodMs);
    // None at all: a report that came before this step started counts too.
    else await this.receiver.expectNoItemFor(this.world.messageId(alias), this.world.quietPeriodMs, 0);
  }

  /**
   * During the tenant's quiet time the proxy calls the application not at all: no report
   * item for the message (none since it was submitted), and no call of any kind, not even
   * an empty heartbeat, while this step watches.
   */
  async assertQuietTime(alias: string): Promise<void> {
    if (this.quietSince === undefined) throw new Error('the scenario has not seen the tenant in quiet time');
    await this.receiver.expectNoItemFor(this.world.messageId(alias), this.world.quietPeriodMs, 0);
    const calls = this.receiver.requests.slice(this.quietSince).map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body)}`);
    expect(calls, 'calls to the application since the proxy showed it in quiet time').to.deep.equal([]);
  }

  /**
   * While the tenant is in quiet time and has nothing new to report, the proxy makes no call
   * to the application for a whole quiet period from now (docs/protocol.rst, Do Not Disturb:
   * "the proxy will not call this tenant until the specified Unix timestamp").
   */
  async assertNoCallForAQuietPeriod(): Promise<void> {
    if (this.quietSince === undefined) throw new Error('the scenario has not seen the tenant in quiet time');
    const from = this.receiver.requests.length;
    await consistently(
      { description: 'no call to the application, which is in quiet time with nothing new to report', timeoutMs: this.world.quietPeriodMs, intervalMs: 100 },
      () => this.receiver.requests.slice(from).map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body)}`),
      (calls) => calls.length === 0,
    );
  }

  /** Marks the calls so far, before the tenant asks the proxy to run now; assertCalledSinceRunNow() looks after it. */
  private callsBeforeRunNow: number | undefined;

  /**
   * After the tenant's own run-now, the proxy calls the application within the delivery
   * deadline, though it asked for quiet time and has nothing new to report: its run-now ends
   * its quiet time (docs/protocol.rst, Do Not Disturb: "The tenant can override DND by calling
   * POST /commands/run-now with their tenant token").
   */
  async assertCalledSinceRunNow(): Promise<void> {
    const from = this.callsBeforeRunNow;
    if (from === undefined) throw new Error('the tenant has not asked the proxy to run now in this scenario');
    await eventually(
      { description: "a call to the application after the tenant's own run-now, in its quiet time; the calls since", timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 100 },
      () => this.receiver.requests.slice(from).map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body)}`),
      (calls) => calls.length > 0,
    );
  }

  /** With a key of its own (made by the operator), the tenant asks the proxy to run now (docs/api_reference.rst, "Core endpoints": a tenant token resets its DND). */
  async runNowWithTenantKey(): Promise<void> {
    const tenantId = this.world.tenantId!;
    const { api_key: key } = await this.world.proxy.tenants.createApiKey(tenantId);
    this.world.use(ScenarioSecrets.forScenario).register('the tenant\'s key', key);
    this.callsBeforeRunNow = this.receiver.requests.length;
    await this.world.proxy.as(key).instance.runNow(tenantId);
  }

  /** Exactly one report item for the message: {id, sent_ts}, with the time the message was sent; none repeats within a quiet period. */
  async assertSentReportedOnce(alias: string): Promise<void> {
    const id = this.world.messageId(alias);
    await this.receiver.waitForItem(id, `a delivery report for "${alias}"`, this.timeoutMs);
    await this.receiver.expectNoItemFor(id, this.world.quietPeriodMs);
    const record = await this.world.record(alias);
    expect(this.receiver.itemsFor(id).map(({ item }) => item), `the report items for "${alias}"`).to.deep.equal([{ id, sent_ts: record.smtp_ts }]);
  }

  /** The outcome of the message reaches a final state, and none of its events is marked as reported for a quiet period. */
  async assertUnreported(alias: string): Promise<void> {
    await this.world.finalRecord(alias);
    await consistently(
      { description: `no event of "${alias}" marked as reported`, timeoutMs: this.world.quietPeriodMs },
      async () => ((await this.world.record(alias, true)).history ?? []).map((e) => ({ type: e.event_type, reported_ts: e.reported_ts })),
      (events) => events.length > 0 && events.every((e) => e.reported_ts === null),
    );
  }

  // ------------------------------------------------------------------ what the reports say

  assertCameToStandardPathWithBearerToken(alias: string): void {
    const [first] = this.receiver.requestsWithItemFor(this.world.messageId(alias));
    expect(first?.method).to.equal('POST');
    expect(first?.path, 'path of the report').to.equal(STANDARD_SYNC_PATH);
    expect(first?.headers.authorization, 'Authorization header').to.equal(`Bearer ${this.bearerToken}`);
  }

  assertCameToOwnPathWithBasicCredentials(alias: string): void {
    const [first] = this.receiver.requestsWithItemFor(this.world.messageId(alias));
    expect(first?.path, 'path of the report').to.equal(this.ownPath);
    const expected = `Basic ${Buffer.from(`${this.basic!.user}:${this.basic!.password}`).toString('base64')}`;
    expect(first?.headers.authorization, 'Authorization header').to.equal(expected);
  }

  /** Waits for the report that the message `outcome`, and checks it holds exactly the parts named ("its id and the time it was sent"). */
  async assertReportHolds(alias: string, outcome: string, parts: string): Promise<void> {
    const key = OUTCOME_FIELD[outcome];
    if (!key) throw new Error(`no report outcome "${outcome}": use ${Object.keys(OUTCOME_FIELD).join(', ')}`);
    const fields = parts.split(/, | and /).map((part) => {
      const field = REPORT_PARTS[part];
      if (!field) throw new Error(`no part "${part}" of a report item: use ${Object.keys(REPORT_PARTS).join(', ')}`);
      return field;
    });
    const { item } = await this.receiver.waitForItem(this.world.messageId(alias), `a report that "${alias}" ${outcome}`, this.timeoutMs, (i) => key in i);
    expect(Object.keys(item).sort(), `fields of the report item ${JSON.stringify(item)}`).to.deep.equal(fields.sort());
    expect(item.id).to.equal(this.world.messageId(alias));
  }

  /**
   * Exactly one report item says the message failed, {id, error_ts, error} with the error and
   * its time as the message list gives them, and none says it was sent; a repeat would show
   * within a quiet period.
   */
  async assertFailureReportedOnce(alias: string): Promise<void> {
    const id = this.world.messageId(alias);
    const record = await this.world.finalRecord(alias, this.world.retryTimeoutMs);
    await this.receiver.waitForItem(id, `a report that "${alias}" failed`, this.timeoutMs, (i) => 'error_ts' in i);
    await this.receiver.expectNoItemFor(id, this.world.quietPeriodMs);
    const items = this.receiver.itemsFor(id).map(({ item }) => item);
    expect(items.filter((i) => 'error_ts' in i), `the reports that "${alias}" failed`).to.deep.equal([{ id, error_ts: record.error_ts, error: record.error }]);
    expect(items.filter((i) => 'sent_ts' in i), `reports that "${alias}" was sent`).to.deep.equal([]);
  }

  async assertTimeIsWhenSent(alias: string): Promise<void> {
    const sent = this.receiver.itemsFor(this.world.messageId(alias)).find(({ item }) => 'sent_ts' in item);
    expect(sent?.item.sent_ts, 'sent_ts').to.equal((await this.world.record(alias)).smtp_ts);
  }

  /** The error (of a failure) or the reason (of a deferral) in the reports for the message mentions `text`. */
  assertMentions(alias: string, what: 'error' | 'reason', text: string): void {
    const field = what === 'error' ? 'error' : 'deferred_reason';
    const values = this.receiver.itemsFor(this.world.messageId(alias)).map(({ item }) => item).filter((item) => field in item).map((item) => String(item[field]));
    expect(values.join(' | '), `${field} in the reports for "${alias}"`).to.include(text);
  }

  async assertTenantInQuietTime(): Promise<void> {
    const status = await this.world.proxy.instance.syncStatus();
    expect(status.tenants.find((t) => t.id === this.world.tenantId), `the tenant in /instance/get_sync_status`).to.include({ in_dnd: true });
    this.quietSince = this.receiver.requests.length;
  }
}
