/**
 * Over 300 lines on purpose: the World is the one object every step shares (identity, messages, delivered mail); capabilities live elsewhere.
 *
 * The World of one scenario. It owns the scenario's identity (a short unique id that
 * goes into every tenant, account, message id and address it creates), its teardown
 * stack, and the world objects the steps call: the proxy API and Mailpit.
 *
 * Steps stay thin: they translate Gherkin into calls on this class.
 */
import { REAL_CLOCK, type ProxyClock } from '../base/proxy-clock.js';
import { setWorldConstructor, World, type IWorldOptions } from '@cucumber/cucumber';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Mailpit, type MailMessage, type MailSummary } from '../clients/mailpit.js';
import {
  ProxyApi,
  type AccountInput,
  type AddBatchResult,
  type MessageRecord,
  type MessageStatus,
  type OutgoingMessage,
  type TenantInput,
} from '../clients/proxy-api.js';
import { consistently, describeValue, eventually, GiveUp } from '../base/eventually.js';
import type { CsvScenarioRow } from '../mail/csv-fixture.js';
import type { StackSession } from '../stack/session.js';
import { TeardownStack } from '../base/teardown.js';
import { scenarioDeadlines } from '../base/timeouts.js';
import { EvidenceRegistry } from '../evidence/registry.js';

let currentSession: StackSession | undefined;

export function setStackSession(session: StackSession | undefined): void {
  currentSession = session;
}

export function stackSession(): StackSession {
  if (!currentSession) {
    throw new Error('The stack is not running: the BeforeAll hook that starts it failed (see its error above).');
  }
  return currentSession;
}

/** The domain of every address the suite invents. `.test` is reserved (RFC 2606). */
export const MAIL_DOMAIN = 'example.test';
/** Addresses of people a strict sink does not know (see support/capabilities/faults.ts). */
export const UNKNOWN_DOMAIN = `unknown.${MAIL_DOMAIN}`;

export class GenroWorld extends World {
  /** Unique per scenario: part of every id and address the scenario creates. */
  readonly sid = `s${Date.now().toString(36).slice(-5)}${randomBytes(3).toString('hex')}`;
  readonly teardown = new TeardownStack();
  private proxyApi: ProxyApi | undefined;
  /** The retry delays (s) of the proxy this scenario talks to, when it is not the worker's main proxy. */
  private proxyRetryDelays: number[] | undefined;
  /**
   * The clock of the proxy this scenario talks to, against the test process's: the real one,
   * unless the scenario runs on a controlled clock (support/capabilities/controlled-clock.ts).
   * Compare the times the proxy reports with `proxyClock.at(Date.now())`, and size the
   * deadlines of its timers with `proxyClock.realMsFor(seconds)`.
   */
  proxyClock: ProxyClock = REAL_CLOCK;
  private mailpitClient: Mailpit | undefined;
  /** The sink this scenario's account delivers to, when it is not the stack's main Mailpit. */
  private sink: { apiUrl: string; smtpForProxy: { host: string; port: number } } | undefined;
  /** People whose addresses the strict sink refuses (unknown recipients). */
  readonly unknownRecipients = new Set<string>();

  tenantId: string | undefined;
  accountId: string | undefined;
  /** Messages this scenario submitted, by the name the feature gives them. */
  readonly messages = new Map<string, OutgoingMessage>();
  lastSubmission: AddBatchResult | undefined;
  /** timeSpentWaiting() when the scenario began (for the timing attachment). */
  waitedAtStart = 0;
  /** When the scenario restarted the proxy (ms since the epoch). */
  restartedAt: number | undefined;
  /** Rows of a CSV fixture this scenario works through. */
  csvCases: CsvScenarioRow[] = [];

  private readonly worldObjects = new Map<unknown, unknown>();
  /** What world objects contribute to the report when the scenario fails. */
  readonly evidence = new EvidenceRegistry();

  constructor(options: IWorldOptions) {
    super(options);
  }

  /**
   * The scenario's instance of a world object, created by `create` on first use.
   * Capabilities (callbacks, IMAP, S3, ...) live in their own modules under support/
   * and are reached as `this.use(CallbackReceiver.forScenario)`; whatever they start
   * goes on `this.teardown`.
   */
  use<T>(create: (world: GenroWorld) => T): T {
    if (!this.worldObjects.has(create)) this.worldObjects.set(create, create(this));
    return this.worldObjects.get(create) as T;
  }

  get session(): StackSession {
    return stackSession();
  }

  /** The proxy API client of the proxy this scenario talks to. */
  get proxy(): ProxyApi {
    this.proxyApi ??= new ProxyApi(this.session.endpoints.proxy);
    return this.proxyApi;
  }

  get mailpit(): Mailpit {
    this.mailpitClient ??= new Mailpit(this.session.endpoints.mailpit.apiUrl);
    return this.mailpitClient;
  }

  /**
   * Routes this scenario to another sink: its account delivers there (createSinkAccount)
   * and `mailpit` searches there.
   */
  routeTo(sink: { apiUrl: string; smtpForProxy: { host: string; port: number } }): void {
    this.sink = sink;
    this.mailpitClient = new Mailpit(sink.apiUrl);
  }

  /** The scenario's deadlines (support/base/timeouts.ts), for the proxy it talks to. */
  get deadlines() {
    const { config } = this.session;
    return scenarioDeadlines({ ...config, proxy: { ...config.proxy, retryDelays: this.retryDelays } });
  }

  /** The retry delays (s) of the proxy this scenario talks to. */
  get retryDelays(): number[] {
    return this.proxyRetryDelays ?? this.session.config.proxy.retryDelays;
  }

  get retryTimeoutMs(): number {
    return this.deadlines.retryMs;
  }

  get retryWindowMs(): number {
    return this.deadlines.retryWindowMs;
  }

  get deliveryTimeoutMs(): number {
    return this.deadlines.deliveryMs;
  }

  get quietPeriodMs(): number {
    return this.deadlines.quietMs;
  }

  // ------------------------------------------------------------------ identity

  /** The address of a person of this scenario: "alice" -> alice.<sid>@example.test. */
  address(name: string): string {
    if (name.includes('@')) return name;
    if (this.unknownRecipients.has(name)) return `${name}.${this.sid}@${UNKNOWN_DOMAIN}`;
    return `${name}.${this.sid}@${MAIL_DOMAIN}`;
  }

  /**
   * Resolves the people named in an address text: "alice" and "Acme Billing <billing>"
   * become this scenario's addresses; full addresses are kept.
   */
  resolveAddress(text: string): string {
    const named = text.match(/^(.*)<([^>]+)>\s*$/);
    if (named) return `${named[1]!.trim()} <${this.address(named[2]!.trim())}>`;
    return this.address(text.trim());
  }

  resolveAddressList(text: string): string[] {
    return text.split(',').map((part) => this.resolveAddress(part)).filter(Boolean);
  }

  /** A batch code named in a feature, made unique to the scenario. */
  batchCode(name: string): string {
    return `${name}-${this.sid}`;
  }

  messageId(alias: string): string {
    return `${alias}-${this.sid}`;
  }

  message(alias: string): OutgoingMessage {
    const message = this.messages.get(alias);
    if (!message) throw new Error(`no message "${alias}" was submitted in this scenario (known: ${[...this.messages.keys()].join(', ') || 'none'})`);
    return message;
  }

  // ------------------------------------------------------------------ set-up

  /** From now on, "the proxy" of this scenario is the one `client` talks to. */
  talkTo(client: ProxyApi, retryDelays?: number[]): void {
    this.proxyApi = client;
    this.proxyRetryDelays = retryDelays;
  }

  /** Routes this scenario to a proxy started in test mode (it waits for run_now). */
  async useTestModeProxy(): Promise<void> {
    const instance = await this.session.testModeProxy();
    this.talkTo(new ProxyApi(instance.endpoint));
  }

  async createTenant(fields: Omit<TenantInput, 'id'> = {}): Promise<string> {
    const id = `tenant-${this.sid}`;
    await this.proxy.tenants.add({ id, name: `Scenario ${this.sid}`, ...fields });
    this.tenantId = id;
    const api = this.proxy;
    this.teardown.push(`delete tenant ${id}`, async () => {
      await api.tenants.delete(id);
    });
    return id;
  }

  async createSinkAccount(settings: Partial<AccountInput> = {}): Promise<string> {
    const tenantId = this.tenantId ?? (await this.createTenant());
    const sink = this.sink?.smtpForProxy ?? this.session.endpoints.mailpit.smtpForProxy;
    const id = settings.id ?? `smtp-${this.sid}`;
    await this.proxy.accounts.add({ id, tenant_id: tenantId, host: sink.host, port: sink.port, use_tls: false, ...settings });
    this.accountId = id;
    return id;
  }

  // ------------------------------------------------------------------ messages

  /** A message of this scenario, with defaults filled in; fields use the API's names. */
  draft(alias: string, fields: Partial<OutgoingMessage> = {}): OutgoingMessage {
    if (!this.tenantId || !this.accountId) throw new Error('create a tenant and an account before drafting messages');
    return {
      id: this.messageId(alias),
      tenant_id: this.tenantId,
      account_id: this.accountId,
      from: this.address('sender'),
      to: [this.address(`${alias}-recipient`)],
      subject: `Message ${alias}`,
      body: `Body of ${alias}`,
      ...fields,
    };
  }

  async submit(drafts: { alias: string; message: OutgoingMessage }[]): Promise<AddBatchResult> {
    for (const { alias, message } of drafts) this.messages.set(alias, message);
    this.lastSubmission = await this.proxy.messages.addBatch(drafts.map((d) => d.message));
    return this.lastSubmission;
  }

  async status(alias: string): Promise<{ fromGet: MessageStatus; fromList: MessageStatus | undefined }> {
    const message = this.message(alias);
    // The list first, then the details: the details then reflect at least the state the
    // list showed, so a final state in the list that the details contradict is real.
    const list = await this.proxy.messages.list(message.tenant_id);
    const record = await this.proxy.messages.get(message.id, message.tenant_id);
    return { fromGet: record.status, fromList: list.find((m) => m.id === message.id)?.status };
  }

  async record(alias: string, includeHistory = false): Promise<MessageRecord> {
    const message = this.message(alias);
    if (!includeHistory) return this.proxy.messages.get(message.id, message.tenant_id);
    const list = await this.proxy.messages.list(message.tenant_id, { includeHistory: true });
    const found = list.find((m) => m.id === message.id);
    if (!found) throw new Error(`message ${message.id} is not in /messages/list of tenant ${message.tenant_id}`);
    return found;
  }

  /**
   * Waits until both /messages/get and /messages/list show `expected`. Gives up at once
   * when /messages/list shows a final state (sent, error) and the two do not both match:
   * a final state does not change, so waiting longer would only hide the answer.
   */
  async waitForStatus(alias: string, expected: MessageStatus, timeoutMs = this.deliveryTimeoutMs): Promise<void> {
    await eventually(
      { description: `message "${alias}" to be ${expected} in /messages/get and /messages/list`, timeoutMs, intervalMs: 100, context: () => this.nearby(alias) },
      async () => {
        const s = await this.status(alias);
        const done = s.fromGet === expected && s.fromList === expected;
        if (!done && (s.fromList === 'sent' || s.fromList === 'error')) {
          const record = await this.record(alias, true);
          throw new GiveUp(
            `message "${alias}" reached a final state: "${s.fromList}" in /messages/list, "${s.fromGet}" in /messages/get` +
              (record.error ? `, error: ${record.error}` : ''),
          );
        }
        return s;
      },
      (s) => s.fromGet === expected && s.fromList === expected,
    );
  }

  /** /messages/get gives the failed message's status, error and error time exactly as /messages/list does; returns the list's record. */
  async assertSameErrorInBothViews(alias: string): Promise<MessageRecord> {
    const message = this.message(alias);
    const listed = await this.finalRecord(alias, this.retryTimeoutMs);
    const details = await this.proxy.messages.get(message.id, message.tenant_id);
    expect(listed.error, `the error of "${alias}" in /messages/list`).to.be.a('string').and.not.equal('');
    expect({ status: details.status, error: details.error, error_ts: details.error_ts }, `"${alias}" in /messages/get, against /messages/list`)
      .to.deep.equal({ status: 'error', error: listed.error, error_ts: listed.error_ts });
    return listed;
  }

  /** Waits until the message reaches a final state in /messages/list; returns its record with history. */
  async finalRecord(alias: string, timeoutMs = this.deliveryTimeoutMs): Promise<MessageRecord> {
    return eventually(
      { description: `message "${alias}" to reach a final state (sent or error) in /messages/list`, timeoutMs, intervalMs: 100, context: () => this.nearby(alias) },
      () => this.record(alias, true),
      (r) => r.status === 'sent' || r.status === 'error',
    );
  }

  // ------------------------------------------------------------------ what happened nearby

  /**
   * For a wait that timed out: what did happen. The scenario's mails in the sink (subject
   * and recipients, so a changed subject or a wrong recipient shows), the message's status
   * as the proxy lists it (or that the proxy no longer lists it), and what the world
   * objects saw (delivery reports received, mailboxes, file server requests).
   */
  async nearby(alias?: string): Promise<string> {
    const lines: string[] = [];
    try {
      const mails = await this.mailpit.search(`addressed:"${this.sid}"`, 20);
      const shown = mails.map((m) => `"${m.Subject}" to ${(m.To ?? []).map((a) => a.Address).join(', ') || '(nobody)'}`);
      lines.push(`mails in the sink for this scenario (${mails.length}): ${shown.join('; ') || 'none'}`);
    } catch (error) {
      lines.push(`the sink could not be searched: ${describeValue(error)}`);
    }
    if (alias !== undefined && this.messages.has(alias)) lines.push(await this.listedStatus(alias));
    for (const { title, body } of await this.evidence.collect()) {
      lines.push(`${title}: ${body.length > 1500 ? `${body.slice(0, 1500)}… (${body.length} chars)` : body}`);
    }
    return `what did happen:\n  ${lines.join('\n  ')}`;
  }

  /** The message's status in /messages/list, or that the proxy does not list it at all. */
  private async listedStatus(alias: string): Promise<string> {
    const message = this.message(alias);
    try {
      const list = await this.proxy.messages.list(message.tenant_id);
      const found = list.find((m) => m.id === message.id);
      if (!found) {
        return `message "${alias}" (${message.id}) is not among the ${list.length} messages the proxy lists for tenant ${message.tenant_id}: lost, or never stored`;
      }
      return `message "${alias}" (${message.id}) is ${found.status} in /messages/list${found.error ? `, error: ${found.error}` : ''}`;
    } catch (error) {
      return `message "${alias}": the proxy could not list the messages of tenant ${message.tenant_id}: ${describeValue(error)}`;
    }
  }

  // ------------------------------------------------------------------ delivered mail

  private firstRecipient(message: OutgoingMessage): string {
    const to = Array.isArray(message.to) ? message.to[0] : message.to.split(',')[0];
    if (!to) throw new Error(`message ${message.id} has no recipient`);
    const bare = to.match(/<([^>]+)>/);
    return (bare ? bare[1]! : to).trim();
  }

  /** Mails in the sink for this message: addressed to its first recipient, with its subject. */
  async mailsFor(alias: string): Promise<MailSummary[]> {
    const message = this.message(alias);
    const found = await this.mailpit.addressedTo(this.firstRecipient(message));
    return found.filter((mail) => mail.Subject === message.subject);
  }

  /** Waits until exactly one mail for the message is in the sink, and returns it. */
  /** Waits until the mail is in the sink. Gives up at once if the message ended in error. */
  async deliveredMail(alias: string, timeoutMs = this.deliveryTimeoutMs): Promise<MailMessage> {
    const [summary] = await eventually(
      {
        description: `the mail "${alias}" (${this.message(alias).subject}) to reach the sink`,
        timeoutMs,
        intervalMs: 100,
        context: () => this.nearby(alias),
      },
      async () => {
        const mails = await this.mailsFor(alias);
        if (mails.length === 0) {
          const record = await this.record(alias, true);
          if (record.status === 'error') throw new GiveUp(`message "${alias}" ended in error: ${record.error ?? '(no error text)'}`);
        }
        return mails;
      },
      (mails) => mails.length > 0,
    );
    return this.mailpit.message(summary!.ID);
  }

  async assertNotDelivered(alias: string, periodMs = this.quietPeriodMs): Promise<void> {
    await consistently(
      { description: `no mail "${alias}" in the sink`, timeoutMs: periodMs, intervalMs: 100 },
      () => this.mailsFor(alias),
      (mails) => mails.length === 0,
    );
  }

  /**
   * Every one of the messages is in the sink, and each has exactly one mail there for a
   * whole quiet period, all watched together: a copy sent twice fails, however late in
   * the batch.
   */
  async assertEachDeliveredOnce(aliases: string[], periodMs = this.quietPeriodMs): Promise<void> {
    for (const alias of aliases) await this.deliveredMail(alias);
    await consistently(
      { description: `exactly one mail for each of the ${aliases.length} messages in the sink (mails per message)`, timeoutMs: periodMs, intervalMs: 200 },
      async () => Object.fromEntries(await Promise.all(aliases.map(async (alias) => [alias, (await this.mailsFor(alias)).length] as const))),
      (counts) => Object.values(counts).every((n) => n === 1),
    );
  }

  async assertDeliveredOnce(alias: string, periodMs = this.quietPeriodMs): Promise<void> {
    await consistently(
      { description: `exactly one mail "${alias}" in the sink`, timeoutMs: periodMs, intervalMs: 100 },
      () => this.mailsFor(alias),
      (mails) => mails.length === 1,
    );
  }
}

setWorldConstructor(GenroWorld);
