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
import { consistently, eventually, GiveUp } from '../base/eventually.js';
import { SENDING_LIMIT_REST_S } from '../base/timeouts.js';
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

  /** Each message in a call of its own, the next one only once the proxy has accepted the one before. */
  async submitOneAfterAnother(aliases: string[]): Promise<void> {
    for (const alias of aliases) {
      const answer = await this.world.submit([{ alias, message: this.world.draft(alias) }]);
      expect(answer, `the answer to submitting "${alias}"`).to.deep.include({ ok: true, queued: 1, rejected: [] });
    }
  }

  /** The message details and the message list both give the message this priority. */
  async assertListedPriority(alias: string, expected: number): Promise<void> {
    await this.assertListedPriorities([[alias, expected]]);
  }

  /** The message details and the message list give each message its priority. */
  async assertListedPriorities(expected: [alias: string, priority: number][]): Promise<void> {
    const list = await this.world.proxy.messages.list(this.world.tenantId);
    const seen = await Promise.all(expected.map(async ([alias]) => {
      const message = this.world.message(alias);
      const details = await this.world.proxy.messages.get(message.id, message.tenant_id);
      return [alias, { details: details.priority, list: list.find((m) => m.id === message.id)?.priority }] as const;
    }));
    const shown = seen.map(([alias, p]) => `${alias} ${p.details}/${p.list}`).join(', ');
    expect(Object.fromEntries(seen), `the priority of each message in the message details / the message list (seen: ${shown})`)
      .to.deep.equal(Object.fromEntries(expected.map(([alias, priority]) => [alias, { details: priority, list: priority }])));
  }

  /**
   * The urgent message arrives once the sending limit lets a message through again, and
   * the other held message is not sent with it: it is still not in the sink when the
   * urgent one arrives, nor for a quiet period after (a proxy that let both through in
   * one cycle would have bypassed the limit). Gives up at once if the other one goes first.
   */
  async assertGoesFirstWhenTheLimitAllows(urgent: string, other: string): Promise<void> {
    await eventually(
      { description: `the mail "${urgent}" to reach the sink when the sending limit allows, before "${other}"`, timeoutMs: this.world.proxyClock.realMsFor(SENDING_LIMIT_REST_S), intervalMs: 250, context: () => this.world.nearby(urgent) },
      async () => {
        const [urgentMails, otherMails] = await Promise.all([this.world.mailsFor(urgent), this.world.mailsFor(other)]);
        if (otherMails.length > 0) {
          throw new GiveUp(`the mail "${other}" reached the sink ${urgentMails.length > 0 ? 'together with' : 'before'} "${urgent}"`);
        }
        const record = await this.world.record(urgent, true);
        if (record.status === 'error') throw new GiveUp(`message "${urgent}" ended in error: ${record.error ?? '(no error text)'}`);
        return urgentMails.length;
      },
      (count) => count > 0,
    );
    await consistently(
      { description: `no mail "${other}" in the sink right after "${urgent}" (the limit lets one message through)`, timeoutMs: this.world.quietPeriodMs, intervalMs: 100 },
      () => this.world.mailsFor(other),
      (mails) => mails.length === 0,
    );
  }
}
