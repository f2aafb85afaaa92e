/**
 * Holding mail back and letting it go (docs/multi_tenancy.rst, "Batch Suspension"): a
 * whole tenant's sending suspended and activated again, and a held message corrected by
 * submitting it again with the same id before it goes out.
 *
 * Reach it as `world.use(Batches.forScenario)`.
 */
import { expect } from 'chai';
import { consistently } from '../base/eventually.js';
import type { GenroWorld } from '../cucumber/world.js';

export class Batches {
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
}
