/**
 * What the proxy answers when the application submits messages (docs/protocol.rst,
 * "Message batch payload"; docs/api_reference.rst, "Core endpoints"): recipients given as
 * one comma-separated text, an empty recipient list, a malformed address, an id submitted
 * again after it was sent, and how fast queuing answers while the mail server is silent.
 *
 * Reach it as `world.use(Submissions.forScenario)`.
 */
import { expect } from 'chai';
import { consistently, eventually } from '../base/eventually.js';
import { QUEUE_ANSWER_MS } from '../base/timeouts.js';
import type { AddBatchResult, OutgoingMessage } from '../clients/proxy-api.js';
import { SilentSmtpServer } from '../partners/silent-smtp-server.js';
import type { GenroWorld } from '../cucumber/world.js';

export class Submissions {
  /** How long each submission took to answer, by message, in ms. */
  private readonly answeredInMs = new Map<string, number>();
  private silent: SilentSmtpServer | undefined;

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): Submissions {
    return new Submissions(world);
  }

  private get answer(): AddBatchResult {
    if (!this.world.lastSubmission) throw new Error('nothing was submitted in this scenario');
    return this.world.lastSubmission;
  }

  /** Submits the message with its recipients written as one text, "a, b". */
  async submitToOneText(alias: string, people: string): Promise<void> {
    const to = this.world.resolveAddressList(people).join(', ');
    await this.world.submit([{ alias, message: this.world.draft(alias, { to }) }]);
  }

  /** Each person got the mail once, in a mail of their own in the sink (its envelope reached them). */
  async assertEachReceivedOnce(alias: string, people: string[]): Promise<void> {
    await this.world.deliveredMail(alias);
    const subject = this.world.message(alias).subject;
    await consistently(
      { description: `one mail "${subject}" to each of ${people.join(', ')}`, timeoutMs: this.world.quietPeriodMs, intervalMs: 100 },
      async () => Object.fromEntries(await Promise.all(people.map(async (person) => {
        const mails = await this.world.mailpit.addressedTo(this.world.address(person));
        return [person, mails.filter((m) => m.Subject === subject).length] as const;
      }))),
      (counts) => people.every((person) => counts[person] === 1),
    );
  }

  /** Submits the message with the given recipients (an empty list, a malformed address) as they are. */
  async submitWithRecipients(alias: string, to: string[]): Promise<void> {
    await this.world.submit([{ alias, message: this.world.draft(alias, { to }) }]);
  }

  /** Submits the messages in one batch: each to its own recipient, one of them malformed as given. */
  async submitOneMalformed(good: string, bad: string, address: string): Promise<void> {
    await this.world.submit([
      { alias: good, message: this.world.draft(good) },
      { alias: bad, message: this.world.draft(bad, { to: [address] }) },
    ]);
  }

  /**
   * The last answer queued `queued` messages and rejected exactly `alias`, with a reason
   * that matches `reason`; the rejected message is not in the message list, and no mail
   * goes out for it.
   */
  async assertRejectedOnly(alias: string, queued: number, reason: RegExp, what: string): Promise<void> {
    const id = this.world.messageId(alias);
    const { rejected } = this.answer;
    expect({ queued: this.answer.queued, rejected: rejected.map((r) => r.id) }, `the answer to the submission (reasons: ${JSON.stringify(rejected.map((r) => r.reason))})`)
      .to.deep.equal({ queued, rejected: [id] });
    expect(rejected[0]!.reason, `the reason "${alias}" was rejected: it should name ${what}`).to.match(reason);
    expect((await this.world.proxy.messages.list(this.world.tenantId)).map((m) => m.id), 'ids in the message list').to.not.include(id);
    const to = this.world.message(alias).to;
    if (to.length > 0) await this.world.assertNotDelivered(alias);
  }

  /** Submits the message with every field but the account (the tenant has none). */
  async submitWithoutAccount(alias: string): Promise<void> {
    if (!this.world.tenantId) throw new Error('create a tenant first');
    const message = {
      id: this.world.messageId(alias),
      tenant_id: this.world.tenantId,
      from: this.world.address('sender'),
      to: [this.world.address(`${alias}-recipient`)],
      subject: `Message ${alias}`,
      body: `Body of ${alias}`,
    };
    await this.world.submit([{ alias, message: message as OutgoingMessage }]);
  }

  /** The last answer queued the one message and rejected nothing. */
  assertQueuedAlone(alias: string): void {
    const { queued, rejected } = this.answer;
    const reasons = rejected.map((r) => r.reason);
    expect({ queued, rejected: reasons }, `the answer to submitting "${alias}" (reasons given: ${JSON.stringify(reasons)})`).to.deep.equal({ queued: 1, rejected: [] });
  }

  /** The tenant's account points at a mail server that accepts connections and never answers. */
  async accountOnSilentServer(): Promise<void> {
    const server = new SilentSmtpServer();
    const address = await server.listen(this.world.session.endpoints.partners);
    this.world.teardown.push('close the silent mail server', () => server.close());
    this.silent = server;
    await this.world.createSinkAccount({ host: address.host, port: address.port });
  }

  /** Submits the message and keeps how long the proxy took to answer. */
  async submitTimed(alias: string): Promise<void> {
    const started = performance.now();
    const answer = await this.world.submit([{ alias, message: this.world.draft(alias) }]);
    this.answeredInMs.set(alias, Math.round(performance.now() - started));
    expect(answer, `the answer to submitting "${alias}"`).to.deep.include({ ok: true, queued: 1, rejected: [] });
  }

  /** Waits until the proxy has opened a connection to the silent server: it is trying to deliver. */
  async waitUntilProxyTalksToTheServer(): Promise<void> {
    await eventually(
      { description: 'the proxy to connect to the silent mail server', timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 50 },
      () => this.silent?.connections ?? 0,
      (connections) => connections >= 1,
    );
  }

  /** Every submission answered within QUEUE_ANSWER_MS, and the messages wait, unsent. */
  async assertAnsweredAtOnce(aliases: string[]): Promise<void> {
    const took = Object.fromEntries(aliases.map((alias) => [alias, this.answeredInMs.get(alias)]));
    expect(aliases.filter((alias) => !(took[alias]! <= QUEUE_ANSWER_MS)), `submissions slower than ${QUEUE_ANSWER_MS} ms (ms each: ${JSON.stringify(took)})`).to.deep.equal([]);
    for (const alias of aliases) expect((await this.world.record(alias)).status, `the status of "${alias}"`).to.be.oneOf(['pending', 'deferred']);
  }

  /** The last answer queued nothing and rejected exactly the message, as a duplicate of one already sent. */
  assertRejectedAsDuplicate(alias: string): void {
    const { rejected } = this.answer;
    expect({ queued: this.answer.queued, rejected: rejected.map((r) => r.id) }, `the answer to submitting "${alias}" again (reasons: ${JSON.stringify(rejected.map((r) => r.reason))})`)
      .to.deep.equal({ queued: 0, rejected: [this.world.messageId(alias)] });
    expect(rejected[0]!.reason, `the reason "${alias}" was rejected`).to.match(/duplicate|already/i);
  }
}
