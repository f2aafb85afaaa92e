/**
 * Priorities as the application gives them (docs/priority_queuing.rst): a label
 * ("immediate", "high", "medium", "low") or a number on each message, and a default
 * priority for a whole batch. Submissions are recorded in Answers, so a refusal or a
 * crash is reported with what the proxy logged for it.
 *
 * Reach it as `world.use(Priorities.forScenario)`.
 */
import { expect } from 'chai';
import type { OutgoingMessage } from '../clients/proxy-api.js';
import { Answers } from './answers.js';
import type { GenroWorld } from '../cucumber/world.js';

/** What the application may write as a priority: a label or a number, as text from a feature. */
export type PriorityText = string;

/** "2" is the number 2; anything else ("high") is sent as the text it is. */
function asSent(priority: PriorityText): number | string {
  return /^-?\d+$/.test(priority.trim()) ? Number(priority) : priority.trim();
}

export class Priorities {
  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): Priorities {
    return new Priorities(world);
  }

  private get answers(): Answers {
    return this.world.use(Answers.forScenario);
  }

  /**
   * Submits the messages in one batch, each with its priority as the feature gives it (an
   * empty cell: none), and the batch's default priority if one is given. The proxy must
   * accept the call: anything but a 2xx fails here, with what the proxy answered.
   */
  async submit(rows: { message: string; priority?: PriorityText }[], batchDefault?: PriorityText): Promise<void> {
    const drafts = rows.map(({ message: alias, priority }) => {
      const message: Omit<OutgoingMessage, 'priority'> & { priority?: number | string } = this.world.draft(alias);
      if (priority !== undefined && priority.trim() !== '') message.priority = asSent(priority);
      this.world.messages.set(alias, message as OutgoingMessage);
      return message as OutgoingMessage;
    });
    const defaultPriority = batchDefault === undefined ? undefined : (asSent(batchDefault) as number);
    this.answers.reset();
    const answer = await this.answers.record(this.world.proxy, (a) => a.messages.addBatch(drafts, defaultPriority));
    if (answer.status < 200 || answer.status >= 300) {
      const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      throw new Error(`the proxy did not take the batch with the priorities ${JSON.stringify(rows.map((r) => r.priority ?? ''))}` +
        `${batchDefault === undefined ? '' : ` and the batch default "${batchDefault}"`}: ${Answers.describe(answer)}: ${body.slice(0, 300)}`);
    }
    this.world.lastSubmission = answer.body as never;
  }

  /** Every mail is delivered, and they reached the sink in this order. */
  async assertArrivalOrder(aliases: string[]): Promise<void> {
    for (const alias of aliases) await this.world.deliveredMail(alias);
    const received = await Promise.all(aliases.map(async (alias) => ({ alias, at: Date.parse((await this.world.mailsFor(alias))[0]!.Created) })));
    const order = [...received].sort((a, b) => a.at - b.at).map((m) => m.alias);
    expect(order, `arrival order (received at: ${JSON.stringify(received)})`).to.deep.equal(aliases);
  }
}
