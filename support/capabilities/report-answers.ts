/**
 * What the application answers in the body of a delivery report, beyond "ok", and when the
 * proxy calls it (features/report-answers.feature): the ids it could not process, "not ok",
 * quiet time, and calls with nothing to report.
 *
 * Reach it as `world.use(ReportAnswers.forScenario)`.
 */
import { expect } from 'chai';
import { consistently, eventually } from '../base/eventually.js';
import { CallbackReceiver, itemsOf, type CallbackRequest } from '../partners/callback-receiver.js';
import type { GenroWorld } from '../cucumber/world.js';

export class ReportAnswers {
  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): ReportAnswers {
    return new ReportAnswers(world);
  }

  private get receiver(): CallbackReceiver {
    return this.world.use(CallbackReceiver.forScenario);
  }

  /** The request the application answered that it could not process the message, once it came. */
  private notProcessed: CallbackRequest | undefined;
  /** The index of the first request the application answers after it accepts reports again. */
  private acceptingFrom = 0;

  /**
   * From now on the application accepts reports ({"ok": true}), except that it answers the
   * first report holding an item for the message with 200 {"ok": true, "error": [<its id>]}
   * (docs/protocol.rst, "Sync response format": error lists the message ids that failed to
   * process).
   */
  acceptAllButFirstReportOf(alias: string): void {
    const id = this.world.messageId(alias);
    this.acceptingFrom = this.receiver.requests.length;
    this.receiver.answerAlways({
      status: 200,
      bodyFor: (request: CallbackRequest) => {
        if (this.notProcessed || !itemsOf(request).some((i) => i.id === id)) return { ok: true };
        this.notProcessed = request;
        return { ok: true, error: [id] };
      },
    });
  }

  /** One report, since the application accepts reports again, holds both messages; the application answered it. */
  async assertOneReportHoldsBoth(first: string, second: string): Promise<void> {
    const ids = [this.world.messageId(first), this.world.messageId(second)];
    await eventually(
      { description: `one report holding both "${first}" and "${second}" (calls since the application accepts reports again)`, timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 100, context: () => this.receiver.describeReceived() },
      () => this.receiver.requests.slice(this.acceptingFrom).map((r) => itemsOf(r).map((i) => i.id)),
      (calls) => calls.some((held) => ids.every((id) => held.includes(id))),
    );
    const answered = this.notProcessed;
    expect(answered && ids.every((id) => itemsOf(answered).some((i) => i.id === id)), `the report answered "could not process ${second}" holds both messages`).to.equal(true);
  }

  /**
   * After the report answered "could not process": a report item for `resent` comes again,
   * and, for a quiet period, none for `notRepeated`.
   */
  async assertResentOnly(resent: string, notRepeated: string): Promise<void> {
    const answered = this.notProcessed;
    if (!answered) throw new Error('the application has not answered that it could not process a message');
    const after = (alias: string) => this.receiver.itemsFor(this.world.messageId(alias)).filter(({ request }) => request.index > answered.index);
    await eventually(
      { description: `a report item for "${resent}" after the application answered that it could not process it`, timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 100, context: () => this.receiver.describeReceived() },
      () => after(resent).length,
      (n) => n > 0,
    );
    await consistently(
      { description: `no report item for "${notRepeated}" after the report the application processed`, timeoutMs: this.world.quietPeriodMs, intervalMs: 100 },
      () => after(notRepeated).map(({ item }) => item),
      (items) => items.length === 0,
    );
  }

  /** The next report with items is answered 200 {"ok": false}: the application did not process it. */
  notOkToNextReport(): void {
    this.receiver.answerNextReport({ status: 200, body: { ok: false } });
  }

  /**
   * Since the proxy's first report of the message (the one answered with quiet time), every
   * call to the application carried at least one report item: no empty call was made.
   */
  assertNoEmptyCallSinceReportOf(alias: string): void {
    const id = this.world.messageId(alias);
    const first = this.receiver.requests.find((r) => itemsOf(r).some((i) => i.id === id));
    if (!first) throw new Error(`no report for "${alias}" was received`);
    const empty = this.receiver.requests.filter((r) => r.index > first.index && itemsOf(r).length === 0).map((r) => `${new Date(r.receivedAt).toISOString()} ${r.method} ${r.path} ${JSON.stringify(r.body)}`);
    expect(empty, `calls without a report item since the report of "${alias}" at ${new Date(first.receivedAt).toISOString()}`).to.deep.equal([]);
  }

  /** The application receives a call whose delivery_report is an empty list, and no other call. */
  async assertEmptyCall(): Promise<void> {
    const calls = await eventually(
      { description: 'a call to the application with an empty delivery report (the calls received)', timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 100, context: () => this.receiver.describeReceived() },
      () => this.receiver.requests.map((r) => ({ method: r.method, path: r.path, body: r.body })),
      (seen) => seen.length > 0,
    );
    expect(calls[0], 'the first call to the application').to.deep.include({ method: 'POST', body: { delivery_report: [] } });
  }
}
