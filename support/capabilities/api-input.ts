/**
 * What the proxy's API answers at its edges: calls without a token or with a wrong one,
 * the open health check and metrics, input that lacks a field or has a wrong value, a
 * batch with one bad message, things that do not exist, and times far in the future.
 * The proxy must answer each with an error the application can read (or accept it), never
 * with a crash. Every call is recorded in Answers (support/capabilities/answers.ts).
 *
 * Reach it as `world.use(ApiInput.forScenario)`.
 */
import { expect } from 'chai';
import type { AccountInput, OutgoingMessage } from '../clients/proxy-api.js';
import { ScenarioSecrets } from '../base/secrets.js';
import { Answers } from './answers.js';
import { sinkAccountInput } from './sink-account.js';
import type { GenroWorld } from '../cucumber/world.js';

type Rejected = { rejected?: { id: string | null }[] };

export class ApiInput {
  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): ApiInput {
    return new ApiInput(world);
  }

  private get answers(): Answers {
    return this.world.use(Answers.forScenario);
  }

  // ------------------------------------------------------------------ tokens

  /** Asks for the tenant list with no token, or with one the proxy never issued (recorded). */
  async askForTenantsWith(token: 'no token' | 'a token the proxy never issued'): Promise<void> {
    const value = token === 'no token' ? null : this.world.use(ScenarioSecrets.forScenario).make('a token the proxy never issued');
    this.answers.reset();
    await this.answers.record(this.world.proxy.as(value), (a) => a.tenants.list());
  }

  assertRefusedAsUnauthorized(): void {
    expect(Answers.describe(this.answers.last), 'the answer').to.match(/: HTTP 401 application\/json$/);
    expect(this.answers.last.body, 'the JSON error').to.have.property('detail').that.is.a('string').and.not.empty;
  }

  async assertHealthOpen(): Promise<void> {
    const answer = await this.answers.record(this.world.proxy.as(null), (a) => a.health());
    expect([Answers.describe(answer), answer.body]).to.deep.equal(['GET /health: HTTP 200 application/json', { status: 'ok' }]);
  }

  async assertMetricsOpen(): Promise<void> {
    const answer = await this.answers.record(this.world.proxy.as(null), (a) => a.metrics());
    expect(Answers.describe(answer)).to.equal('GET /metrics: HTTP 200 text/plain');
    expect(String(answer.body), 'the metrics text').to.match(/^# HELP \w+/m).and.to.match(/^# TYPE \w+ (counter|gauge|histogram|summary)/m);
  }

  // ------------------------------------------------------------------ bad input

  async addAccountWithout(field: string): Promise<void> {
    const account: Record<string, unknown> = { ...sinkAccountInput(this.world, `incomplete-${this.world.sid}`, this.world.tenantId) };
    if (!(field in account)) throw new Error(`"${field}" is not a field of an account here (${Object.keys(account).join(', ')})`);
    delete account[field];
    this.answers.reset();
    await this.answers.record(this.world.proxy, (a) => a.accounts.add(account as unknown as AccountInput));
  }

  assertRefusedAsInvalid(field: string): void {
    const answer = this.answers.last;
    expect(Answers.describe(answer), 'the answer').to.match(/: HTTP 422 application\/json$/);
    const detail = (answer.body as { detail?: { loc?: unknown[] }[] }).detail;
    expect(detail?.map((d) => d.loc?.at(-1)), 'the fields the validation errors name').to.include(field);
  }

  async askForNothing(): Promise<void> {
    const [api, sid, tenantId] = [this.world.proxy, this.world.sid, this.world.tenantId!];
    this.answers.reset();
    await this.answers.record(api, (a) => a.tenants.get(`nobody-${sid}`));
    await this.answers.record(api, (a) => a.accounts.get(tenantId, `nothing-${sid}`));
    await this.answers.record(api, (a) => a.messages.get(`never-sent-${sid}`, tenantId));
  }

  /** Each call answered 404 with a JSON error, whose text names the id that was asked for. */
  assertAllNotFound(): void {
    const wrong = this.answers.all.filter((o) => o.status !== 404 || !o.contentType.startsWith('application/json')).map(Answers.describe);
    expect(wrong, 'calls not answered HTTP 404 with a JSON error').to.deep.equal([]);
    const sid = this.world.sid;
    const missing = [`nobody-${sid}`, `nothing-${sid}`, `never-sent-${sid}`];
    const unnamed = this.answers.all.map((o, i) => ({ call: o.call, id: missing[i]!, error: JSON.stringify(o.body) })).filter((o) => !o.error.includes(o.id));
    expect(unnamed, 'JSON errors that do not name the id asked for').to.deep.equal([]);
  }

  /** Submits the messages in one batch; `invalid` gets the given (non-integer) priority. */
  async submitWithBadPriority(aliases: string[], invalid: string, priority: string): Promise<void> {
    const drafts = aliases.map((alias) => {
      const message: Omit<OutgoingMessage, 'priority'> & { priority?: unknown } = this.world.draft(alias);
      if (alias === invalid) message.priority = priority;
      this.world.messages.set(alias, message as OutgoingMessage);
      return message as OutgoingMessage;
    });
    this.answers.reset();
    await this.answers.record(this.world.proxy, (a) => a.messages.addBatch(drafts));
  }

  /** The ids of the scenario's messages the proxy keeps equal those its last answer queued. */
  async assertKeptAsAnswered(): Promise<void> {
    const answer = this.answers.last;
    const ids = [...this.world.messages.values()].map((m) => m.id);
    let queued: string[] = [];
    if (answer.status >= 200 && answer.status < 300) {
      const rejected = ((answer.body as Rejected).rejected ?? []).map((r) => r.id);
      queued = ids.filter((id) => !rejected.includes(id));
    }
    const kept = (await this.world.proxy.messages.list(this.world.tenantId)).map((m) => m.id).filter((id) => ids.includes(id));
    expect(kept.sort(), `messages the proxy kept, although its answer (${Answers.describe(answer)}) queued only ${JSON.stringify(queued)}`).to.deep.equal(queued.sort());
  }

  /** The last answer rejects the message: in `rejected` of a 2xx, or as a 4xx JSON error. */
  assertRejected(alias: string): void {
    const answer = this.answers.last;
    if (answer.status >= 200 && answer.status < 300) {
      expect((answer.body as Rejected).rejected?.map((r) => r.id), 'rejected, in the answer').to.include(this.world.messageId(alias));
    } else {
      expect(Answers.describe(answer), 'the answer').to.match(/: HTTP 4\d\d application\/json$/);
    }
  }

  /** Adds (recorded) an account on the mail sink for a tenant id nobody created. */
  async addAccountForUnknownTenant(): Promise<void> {
    const [api, tenantId, accountId] = [this.world.proxy, `nobody-${this.world.sid}`, `smtp-${this.world.sid}`];
    this.world.teardown.push(`delete account ${accountId} of ${tenantId}, if it was added`, async () => {
      await api.accounts.delete(tenantId, accountId);
    });
    this.world.tenantId = tenantId;
    this.answers.reset();
    await this.answers.record(api, (a) => a.accounts.add(sinkAccountInput(this.world, accountId, tenantId)));
  }

  assertRefusedNamingTenant(): void {
    expect(Answers.describe(this.answers.last), 'the answer').to.match(/: HTTP 4\d\d application\/json$/);
    expect(JSON.stringify(this.answers.last.body), 'the JSON error').to.include(this.world.tenantId!);
  }

  /** The operator's account list for the tenant id nobody created is empty. */
  async assertNoAccountStored(): Promise<void> {
    expect(await this.world.proxy.accounts.list(this.world.tenantId), `the accounts listed for ${this.world.tenantId}`).to.deep.equal([]);
  }

  // ------------------------------------------------------------------ values at the edge of the scale

  /** Submits (recorded) one message with the given extra fields, as they are. */
  async submitRecorded(alias: string, fields: Partial<OutgoingMessage>): Promise<void> {
    const message = this.world.draft(alias, fields);
    this.world.messages.set(alias, message);
    this.answers.reset();
    await this.answers.record(this.world.proxy, (a) => a.messages.addBatch([message]));
  }

  /**
   * Never left waiting: either the last submission listed the message in `rejected`, with
   * a reason naming the priority, queued nothing, and the message is neither stored nor
   * sent; or it queued it, and the proxy moved it to the nearest level (0) and sent it,
   * once ('sent' in both views).
   */
  async assertRefusedOrSent(alias: string): Promise<void> {
    const answer = this.answers.last;
    const id = this.world.messageId(alias);
    expect(Answers.describe(answer), `the answer to the submission of "${alias}"`).to.equal('POST /messages/add_batch: HTTP 200 application/json');
    const body = answer.body as { queued?: number; rejected?: { id: string | null; reason?: string }[] };
    const refusal = (body.rejected ?? []).find((r) => r.id === id);
    if (refusal) {
      expect({ queued: body.queued, reason: refusal.reason }, `the refusal of "${alias}"`).to.deep.include({ queued: 0 });
      expect(refusal.reason, `the reason "${alias}" was refused`).to.match(/priority/i);
      expect((await this.world.proxy.messages.list(this.world.tenantId)).map((m) => m.id), 'ids in the message list').to.not.include(id);
      await this.world.assertNotDelivered(alias);
      return;
    }
    expect(body, `the answer to the submission of "${alias}"`).to.deep.include({ queued: 1, rejected: [] });
    await this.world.waitForStatus(alias, 'sent');
    await this.world.deliveredMail(alias);
    await this.world.assertDeliveredOnce(alias);
    expect((await this.world.record(alias)).priority, `the priority of "${alias}", moved to the nearest level`).to.equal(0);
  }

  /** The last submission queued the message, and the proxy holds it, deferred to the time it was given. */
  async assertAcceptedAndHeld(alias: string): Promise<void> {
    const answer = this.answers.last;
    expect(Answers.describe(answer), `the answer to the submission of "${alias}"`).to.equal('POST /messages/add_batch: HTTP 200 application/json');
    expect(answer.body, 'the answer').to.deep.include({ queued: 1, rejected: [] });
    const record = await this.world.record(alias);
    expect({ status: record.status, deferred_ts: record.deferred_ts }, `the status and the time "${alias}" is due`).to.deep.equal({ status: 'deferred', deferred_ts: this.world.message(alias).deferred_ts });
  }
}
