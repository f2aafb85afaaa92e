/**
 * The rhythm of the calls the proxy makes to the application (docs/protocol.rst,
 * "Accelerated sync loop"): an application that answers a delivery report with the
 * number of messages it has waiting to submit is called again at once, not at the next
 * sync interval (5 minutes by default).
 *
 * Reach it as `world.use(SyncLoop.forScenario)`.
 */
import { eventually } from '../base/eventually.js';
import { CallbackReceiver, itemsOf } from '../partners/callback-receiver.js';
import type { GenroWorld } from '../cucumber/world.js';

export class SyncLoop {
  /** What the application said it has waiting, in its answer to the next report. */
  private waiting: number | undefined;

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): SyncLoop {
    return new SyncLoop(world);
  }

  private get receiver(): CallbackReceiver {
    return this.world.use(CallbackReceiver.forScenario);
  }

  /** The application answers the next report that has items with ok and `count` messages queued. */
  answerNextReportWithWaiting(count: number): void {
    this.waiting = count;
    this.receiver.answerNextReport({ status: 200, body: { ok: true, queued: count } });
  }

  /** After the report of `alias` that was answered with messages waiting, another call comes within the delivery deadline. */
  async assertCalledAgainAtOnce(alias: string): Promise<void> {
    const id = this.world.messageId(alias);
    const answered = this.receiver.requests.find((r) => itemsOf(r).some((i) => i.id === id));
    if (!answered || this.waiting === undefined) throw new Error(`no report for "${alias}" was answered with messages waiting`);
    await eventually(
      {
        description: `the application to be called again after it answered, at ${new Date(answered.receivedAt).toISOString()}, that ${this.waiting} messages wait (calls after it)`,
        timeoutMs: this.world.deliveryTimeoutMs,
        intervalMs: 100,
        context: () => this.receiver.describeReceived(),
      },
      () => this.receiver.requests.filter((r) => r.index > answered.index).map((r) => `${r.method} ${r.path} with ${itemsOf(r).length} item(s)`),
      (later) => later.length > 0,
    );
  }
}
