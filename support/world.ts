/**
 * The World of one scenario. It owns the scenario's identity (a short unique id that
 * goes into every tenant, account, message id and address it creates), its teardown
 * stack, and the world objects the steps call: the proxy API and Mailpit.
 *
 * Steps stay thin: they translate Gherkin into calls on this class.
 */
import { setWorldConstructor, World, type IWorldOptions } from '@cucumber/cucumber';
import { randomBytes } from 'node:crypto';
import { Mailpit, type MailMessage, type MailSummary } from './clients/mailpit.js';
import {
  ProxyApi,
  type AccountInput,
  type AddBatchResult,
  type MessageRecord,
  type MessageStatus,
  type OutgoingMessage,
} from './clients/proxy-api.js';
import { consistently, eventually } from './eventually.js';
import type { CsvScenarioRow } from './csv-fixture.js';
import type { StackSession } from './stack/session.js';
import { TeardownStack } from './teardown.js';

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

export class GenroWorld extends World {
  /** Unique per scenario: part of every id and address the scenario creates. */
  readonly sid = `s${Date.now().toString(36).slice(-5)}${randomBytes(3).toString('hex')}`;
  readonly teardown = new TeardownStack();
  private proxyApi: ProxyApi | undefined;
  private mailpitClient: Mailpit | undefined;

  tenantId: string | undefined;
  accountId: string | undefined;
  /** Messages this scenario submitted, by the name the feature gives them. */
  readonly messages = new Map<string, OutgoingMessage>();
  lastSubmission: AddBatchResult | undefined;
  /** Rows of a CSV fixture this scenario works through. */
  csvCases: CsvScenarioRow[] = [];

  private readonly worldObjects = new Map<unknown, unknown>();

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

  get deliveryTimeoutMs(): number {
    return this.session.config.deliveryTimeoutMs;
  }

  /** How long to watch for something that must not happen: 10 send-loop cycles, at least 1 s. */
  get quietPeriodMs(): number {
    return Math.max(1000, this.session.config.proxy.sendLoopInterval * 10 * 1000);
  }

  // ------------------------------------------------------------------ identity

  /** The address of a person of this scenario: "alice" -> alice.<sid>@example.test. */
  address(name: string): string {
    if (name.includes('@')) return name;
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

  /** Routes this scenario to a proxy started in test mode (it waits for run_now). */
  async useTestModeProxy(): Promise<void> {
    const instance = await this.session.testModeProxy();
    this.proxyApi = new ProxyApi(instance.endpoint);
  }

  async createTenant(): Promise<string> {
    const id = `tenant-${this.sid}`;
    await this.proxy.tenants.add({ id, name: `Scenario ${this.sid}` });
    this.tenantId = id;
    const api = this.proxy;
    this.teardown.push(`delete tenant ${id}`, async () => {
      await api.tenants.delete(id);
    });
    return id;
  }

  async createSinkAccount(settings: Partial<AccountInput> = {}): Promise<string> {
    const tenantId = this.tenantId ?? (await this.createTenant());
    const sink = this.session.endpoints.mailpit.smtpForProxy;
    const id = `smtp-${this.sid}`;
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
    const [record, list] = await Promise.all([
      this.proxy.messages.get(message.id, message.tenant_id),
      this.proxy.messages.list(message.tenant_id),
    ]);
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

  async waitForStatus(alias: string, expected: MessageStatus, timeoutMs = this.deliveryTimeoutMs): Promise<void> {
    await eventually(
      { description: `message "${alias}" to be ${expected} in /messages/get and /messages/list`, timeoutMs, intervalMs: 100 },
      () => this.status(alias),
      (s) => s.fromGet === expected && s.fromList === expected,
    );
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
  async deliveredMail(alias: string, timeoutMs = this.deliveryTimeoutMs): Promise<MailMessage> {
    const [summary] = await eventually(
      { description: `the mail "${alias}" (${this.message(alias).subject}) to reach the sink`, timeoutMs, intervalMs: 100 },
      () => this.mailsFor(alias),
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

  async assertDeliveredOnce(alias: string, periodMs = this.quietPeriodMs): Promise<void> {
    await consistently(
      { description: `exactly one mail "${alias}" in the sink`, timeoutMs: periodMs, intervalMs: 100 },
      () => this.mailsFor(alias),
      (mails) => mails.length === 1,
    );
  }
}

setWorldConstructor(GenroWorld);
