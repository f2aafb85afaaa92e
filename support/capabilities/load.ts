/**
 * The load test (features/load.feature): N messages in batches, every one delivered
 * exactly once, with throughput and the time to the last delivery measured and written
 * to reports/load.json. N and the deadline come from LOAD_MESSAGES (default 2000) and
 * LOAD_DEADLINE_SECONDS (default 120).
 */
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORTS_DIR } from '../base/config.js';
import { eventually } from '../base/eventually.js';
import type { GenroWorld } from '../cucumber/world.js';

export interface LoadSettings {
  messages: number;
  batchSize: number;
  deadlineSeconds: number;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): LoadSettings {
  const messages = Number(env.LOAD_MESSAGES ?? 2000);
  const deadlineSeconds = Number(env.LOAD_DEADLINE_SECONDS ?? 120);
  if (!Number.isInteger(messages) || messages < 1) throw new Error(`LOAD_MESSAGES=${env.LOAD_MESSAGES} is not a positive whole number`);
  if (!(deadlineSeconds > 0)) throw new Error(`LOAD_DEADLINE_SECONDS=${env.LOAD_DEADLINE_SECONDS} is not a positive number`);
  return { messages, batchSize: 200, deadlineSeconds };
}

export class LoadRun {
  submittedAt = 0;
  submitMs = 0;
  private lastCount = 0;
  private lastChangeAt = 0;

  constructor(private readonly world: GenroWorld, readonly settings: LoadSettings) {}

  static forScenario(world: GenroWorld): LoadRun {
    return new LoadRun(world, loadSettings());
  }

  /** The subject that marks this run's mails in the sink. */
  get marker(): string {
    return `load ${this.world.sid}`;
  }

  async submit(): Promise<void> {
    const { messages, batchSize } = this.settings;
    this.submittedAt = Date.now();
    for (let first = 0; first < messages; first += batchSize) {
      const batch = Array.from({ length: Math.min(batchSize, messages - first) }, (_, k) => {
        const i = first + k + 1;
        return { alias: `load-${i}`, message: this.world.draft(`load-${i}`, { to: [this.world.address('load-sink')], subject: `${this.marker} #${i}` }) };
      });
      const result = await this.world.submit(batch);
      if (result.queued !== batch.length) throw new Error(`batch starting at #${first + 1}: queued ${result.queued} of ${batch.length}: ${JSON.stringify(result.rejected)}`);
    }
    this.submitMs = Date.now() - this.submittedAt;
  }

  private report(delivered: number, done: boolean): Record<string, unknown> {
    const end = done ? this.lastChangeAt : Date.now();
    const seconds = (end - this.submittedAt) / 1000;
    const result = {
      messages: this.settings.messages,
      delivered,
      deadlineSeconds: this.settings.deadlineSeconds,
      submitSeconds: this.submitMs / 1000,
      secondsToLastDelivery: done ? seconds : null,
      secondsElapsed: seconds,
      throughputPerSecond: seconds > 0 ? delivered / seconds : null,
      sut: this.world.session.choice.name,
    };
    mkdirSync(REPORTS_DIR, { recursive: true });
    writeFileSync(join(REPORTS_DIR, 'load.json'), `${JSON.stringify(result, null, 2)}\n`);
    this.world.attach(JSON.stringify(result, null, 2), 'application/json');
    return result;
  }

  /** Every message reaches the sink before the deadline (counted by the run's marker). */
  async expectAllDelivered(): Promise<void> {
    const { messages, deadlineSeconds } = this.settings;
    const deadline = this.submittedAt + deadlineSeconds * 1000;
    try {
      await eventually(
        { description: `${messages} load mails in the sink within ${deadlineSeconds} s of the first submission`, timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: 500 },
        async () => {
          const count = await this.world.mailpit.count(`subject:"${this.marker}"`);
          if (count !== this.lastCount) {
            this.lastCount = count;
            this.lastChangeAt = Date.now();
          }
          const elapsed = (Date.now() - this.submittedAt) / 1000;
          return { delivered: count, of: messages, elapsedSeconds: Math.round(elapsed), perSecond: Number((count / Math.max(elapsed, 0.001)).toFixed(1)) };
        },
        (seen) => seen.delivered >= messages,
      );
    } finally {
      this.report(this.lastCount, this.lastCount >= messages);
    }
  }

  /** Every load message ends 'sent' in /messages/list. */
  async expectAllListedSent(): Promise<void> {
    const list = await this.world.proxy.messages.list(this.world.tenantId);
    const status = new Map(list.map((m) => [m.id, m.status]));
    const notSent = Array.from({ length: this.settings.messages }, (_, k) => this.world.messageId(`load-${k + 1}`))
      .map((id) => ({ id, status: status.get(id) ?? '(not listed)' })).filter((m) => m.status !== 'sent');
    expect(notSent.slice(0, 5), `load messages not 'sent' in /messages/list (${notSent.length} of ${this.settings.messages}; the first five)`).to.deep.equal([]);
  }

  /** No message is missing and none arrived twice. */
  async expectNoneLostOrDuplicated(): Promise<void> {
    const mails = await this.world.mailpit.searchAll(`subject:"${this.marker}"`);
    const subjects = mails.map((m) => m.Subject);
    const unique = new Set(subjects);
    const duplicates = subjects.length - unique.size;
    const missing = Array.from({ length: this.settings.messages }, (_, k) => `${this.marker} #${k + 1}`).filter((s) => !unique.has(s));
    if (duplicates > 0 || missing.length > 0) {
      throw new Error(`${duplicates} duplicate mail(s); ${missing.length} missing (first: ${missing.slice(0, 5).join(', ')})`);
    }
  }
}
