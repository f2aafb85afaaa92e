/**
 * Holding mail back and letting it go (docs/multi_tenancy.rst, "Batch Suspension"): a
 * whole tenant's sending suspended and activated again, and a held message corrected by
 * submitting it again with the same id before it goes out.
 *
 * Reach it as `world.use(Batches.forScenario)`.
 */
import { expect } from 'chai';
import { consistently } from '../base/eventually.js';
import type { SuspensionState } from '../clients/proxy-api.js';
import { Answers, type RecordedAnswer } from './answers.js';
import type { GenroWorld } from '../cucumber/world.js';

export class Batches {
  /** What the proxy answered to the last suspension or activation of a batch. */
  lastAnswer: SuspensionState | undefined;

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): Batches {
    return new Batches(world);
  }

  private get tenantId(): string {
    if (!this.world.tenantId) throw new Error('create a tenant first');
    return this.world.tenantId;
  }

  /** Suspends all the tenant's sending (no batch named); the answer lists it as suspended entirely. */
  async suspendTenant(): Promise<void> {
    const state = await this.world.proxy.tenants.suspendBatch(this.tenantId, null);
    expect(state, 'the answer to suspending all of the tenant\'s sending').to.deep.include({ ok: true, suspended_batches: ['*'] });
  }

  /** Activates the tenant's sending with no batch named: every suspension ends, the batches' too. */
  async activateTenant(): Promise<void> {
    const state = await this.world.proxy.tenants.activateBatch(this.tenantId, null);
    expect(state, 'the answer to activating all of the tenant\'s sending').to.deep.include({ ok: true, suspended_batches: [] });
  }

  /** Submits the message again, same id and batch, with another subject. */
  async resubmitWithSubject(alias: string, batch: string, subject: string): Promise<void> {
    const earlier = this.world.message(alias);
    const corrected = { ...earlier, batch_code: this.world.batchCode(batch), subject };
    const answer = await this.world.submit([{ alias, message: corrected }]);
    expect(answer, `the answer to submitting "${alias}" again`).to.deep.include({ ok: true, rejected: [] });
  }

  /**
   * Exactly one mail reached the message's recipient, with the subject it was last
   * submitted with, and no other (the first version's) arrives for a quiet period.
   */
  async assertOnlyLastVersionDelivered(alias: string): Promise<void> {
    const message = this.world.message(alias);
    await this.world.deliveredMail(alias);
    const recipient = Array.isArray(message.to) ? message.to[0]! : message.to;
    await consistently(
      { description: `one mail to ${recipient}, with the subject "${message.subject}" (subjects of the mails to it)`, timeoutMs: this.world.quietPeriodMs, intervalMs: 100 },
      async () => (await this.world.mailpit.addressedTo(recipient)).map((m) => m.Subject),
      (subjects) => subjects.length === 1 && subjects[0] === message.subject,
    );
  }

  /** Suspends one batch; keeps the proxy's answer. */
  async suspendBatch(batch: string): Promise<void> {
    this.lastAnswer = await this.world.proxy.tenants.suspendBatch(this.tenantId, this.world.batchCode(batch));
  }

  /** Activates one batch; keeps the proxy's answer. */
  async activateBatch(batch: string): Promise<void> {
    this.lastAnswer = await this.world.proxy.tenants.activateBatch(this.tenantId, this.world.batchCode(batch));
  }

  /** Suspends the batches one after the other: each answer lists every batch suspended so far. */
  async suspendBatches(batches: string[]): Promise<void> {
    for (const [i, batch] of batches.entries()) {
      await this.suspendBatch(batch);
      expect(this.lastAnswer?.suspended_batches, `the suspended batches in the answer to suspending "${batch}"`)
        .to.have.members(batches.slice(0, i + 1).map((b) => this.world.batchCode(b)));
    }
  }

  /** The answer to the last suspension or activation lists exactly these batches as suspended. */
  assertSuspendedInAnswer(batches: string[]): void {
    expect(this.lastAnswer?.suspended_batches, 'the suspended batches in the answer').to.have.members(batches.map((b) => this.world.batchCode(b)));
  }

  /**
   * The answer to the last suspension or activation of the batch is the one the docs give
   * (multi_tenancy.rst, "Suspend/Activate API"): the tenant, the batch, the batches still
   * suspended, and how many messages the suspension holds back.
   */
  assertAnswer(batch: string, suspended: string[], waiting: number): void {
    expect(this.lastAnswer, `the answer about the batch "${batch}"`).to.deep.equal({
      ok: true,
      tenant_id: this.tenantId,
      batch_code: this.world.batchCode(batch),
      suspended_batches: suspended.map((b) => this.world.batchCode(b)),
      pending_messages: waiting,
    });
  }

  /** Tries to activate one batch; the answer is recorded, a refusal is not thrown. */
  async tryActivateBatch(batch: string): Promise<RecordedAnswer> {
    const answers = this.world.use(Answers.forScenario);
    answers.reset();
    return answers.record(this.world.proxy, (api) => api.tenants.activateBatch(this.tenantId, this.world.batchCode(batch)));
  }

  /** The last activation was refused: not a success. */
  assertActivationRefused(): void {
    const answer = this.world.use(Answers.forScenario).last;
    expect(answer.status, `the proxy's answer to activating one batch during a full suspension (${Answers.describe(answer)})`).to.not.be.within(200, 299);
  }

  /** Submits `count` messages ("<batch>-1", ...) in the batch; the proxy queues them all. */
  async submitInBatch(count: number, batch: string): Promise<void> {
    const drafts = Array.from({ length: count }, (_, i) => {
      const alias = `${batch}-${i + 1}`;
      return { alias, message: this.world.draft(alias, { batch_code: this.world.batchCode(batch) }) };
    });
    const answer = await this.world.submit(drafts);
    expect(answer, `the answer to submitting ${count} messages in the batch "${batch}"`).to.deep.include({ ok: true, queued: count, rejected: [] });
  }
}
