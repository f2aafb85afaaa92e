/**
 * The rhythm of the calls the proxy makes to the application (docs/protocol.rst,
 * "Accelerated sync loop"): an application that answers a delivery report with the
 * number of messages it has waiting to submit is called again at once, not at the next
 * sync interval (5 minutes by default), for as long as its answers say messages wait;
 * after an answer with none waiting, the proxy waits for the interval.
 *
 * Reach it as `world.use(SyncLoop.forScenario)`.
 */
import { expect } from 'chai';
import { consistently, eventually } from '../base/eventually.js';
import { CallbackReceiver, itemsOf, type CallbackRequest } from '../partners/callback-receiver.js';
import type { GenroWorld } from '../cucumber/world.js';

export class SyncLoop {
  /** What the application says it has waiting: in its answer to the next report, then to each call after it. */
  private waiting: number[] = [];

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): SyncLoop {
    return new SyncLoop(world);
  }

  private get receiver(): CallbackReceiver {
    return this.world.use(CallbackReceiver.forScenario);
  }

  /**
   * The application answers the next report that has items with ok and `counts[0]`
   * messages queued, and each call after it with the next count; later calls get the
   * standing answer (ok, nothing queued).
   */
  answerNextReportWithWaiting(...counts: number[]): void {
    this.waiting = counts;
    const [first, ...then] = counts.map((queued) => ({ status: 200, body: { ok: true, queued } }));
    this.receiver.answerNextReport(first!, then);
  }

  /**
   * After the report of `alias` that was answered with messages waiting, the proxy calls
   * again at once (within the delivery deadline of the answer before) at the same path,
   * once for every answer that said messages wait, each call with an empty report
   * (nothing new happened); after the answer that said none wait, no call comes for a
   * quiet period.
   */
  async assertCalledAgainAtOnce(alias: string): Promise<void> {
    const id = this.world.messageId(alias);
    const answered = this.receiver.requests.find((r) => itemsOf(r).some((i) => i.id === id));
    if (!answered || this.waiting.length === 0) throw new Error(`no report for "${alias}" was answered with messages waiting`);
    const after = (r: CallbackRequest) => this.receiver.requests.filter((later) => later.index > r.index);
    const describe = (r: CallbackRequest) => `${r.method} ${r.path} with ${itemsOf(r).length} item(s), answered ${r.answeredStatus}`;
    let previous = answered;
    for (const [n, queued] of this.waiting.entries()) {
      const calls = await eventually(
        {
          description:
            n === 0
              ? `the application to be called again after it answered, at ${new Date(previous.receivedAt).toISOString()}, that ${queued} messages wait (calls after it)`
              : `call ${n + 1} after the report of "${alias}": the application answered call ${n}, at ${new Date(previous.receivedAt).toISOString()}, that ${queued} messages wait (calls after it)`,
          timeoutMs: this.world.deliveryTimeoutMs,
          intervalMs: 50,
          context: () => this.receiver.describeReceived(),
        },
        () => after(previous).map(describe),
        (later) => later.length > 0,
      );
      const next = after(previous)[0]!;
      const what = `call ${n + 1} after the report of "${alias}" (calls after it: ${calls.join('; ')})`;
      expect(next.receivedAt - previous.receivedAt, `${what}: ms after the answer that ${queued} messages wait`).to.be.at.most(this.world.deliveryTimeoutMs);
      expect(`${next.method} ${next.path}`, `${what}: method and path`).to.equal(`${answered.method} ${answered.path}`);
      expect(next.body, `${what}: its body (nothing new happened)`).to.deep.equal({ delivery_report: [] });
      previous = next;
    }
    const last = previous;
    await consistently(
      {
        description: `no call after the application answered, at ${new Date(last.receivedAt).toISOString()}, that no message waits (calls after it)`,
        timeoutMs: this.world.quietPeriodMs,
        intervalMs: 50,
      },
      () => after(last).map(describe),
      (later) => later.length === 0,
    );
  }
}
