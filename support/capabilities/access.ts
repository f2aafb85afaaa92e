/**
 * Who may do what: tenants with keys of their own, the calls a scenario makes with
 * them (or with no token, or the operator's), and what the proxy answered.
 *
 * Tenant ids carry the scenario id ("acme" -> acme-<sid>); keys come from the proxy
 * and passwords are made at random for the run; both are registered with
 * ScenarioSecrets so that no report shows them.
 *
 * Reach it as `world.use(Access.forScenario)`.
 */
import { expect } from 'chai';
import type { Method } from 'got';
import { createHash } from 'node:crypto';
import type { AccountInput, OutgoingMessage, ProxyApi } from '../clients/proxy-api.js';
import { eventually } from '../base/eventually.js';
import { currentProxyInstance, lastException } from './own-proxy.js';
import { ScenarioSecrets } from '../base/secrets.js';
import { freePort } from '../base/net.js';
import type { GenroWorld } from '../cucumber/world.js';

/** What "refused" means for a call one tenant makes on another's data. */
export const REFUSED = [401, 403, 404];

export interface CallOutcome {
  /** "GET /accounts/list", as the failure messages show it. */
  call: string;
  status: number;
  contentType: string;
  body: unknown;
  /** For a 5xx: the exception the proxy logged for it, if it logged one. */
  cause?: string;
}

/** Enough lines to hold the whole log of a proxy during one scenario. */
const LOG_LINES = 1_000_000;

type Query = Record<string, string | number | boolean | undefined>;

/** Where a secret value occurs in a JSON value, as paths ("client_auth.token"). */
export function pathsHolding(value: unknown, secret: string, path = ''): string[] {
  if (typeof value === 'string') return value.includes(secret) ? [path || '(the whole body)'] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => pathsHolding(item, secret, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => pathsHolding(inner, secret, path ? `${path}.${key}` : key));
  }
  return [];
}

/** Paths of the non-empty fields whose name speaks of a key's hash ("api_key_hash", "keyHash"). */
export function keyHashFields(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => keyHashFields(item, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => {
      const here = path ? `${path}.${key}` : key;
      const named = /key.*hash|hash.*key/i.test(key) && inner !== null && inner !== undefined && inner !== '';
      return [...(named ? [here] : []), ...keyHashFields(inner, here)];
    });
  }
  return [];
}

/** A key and its usual digests (hex, base64, base64url): what would let a reader check a guess or replay it. */
export function keyForms(key: string): [form: string, value: string][] {
  const forms: [string, string][] = [['the key itself', key]];
  for (const algorithm of ['md5', 'sha1', 'sha256', 'sha512']) {
    const digest = createHash(algorithm).update(key).digest();
    forms.push([`${algorithm} hex`, digest.toString('hex')], [`${algorithm} base64`, digest.toString('base64')], [`${algorithm} base64url`, digest.toString('base64url')]);
  }
  return forms;
}

/** Another tenant's SMTP account and held message, as the scenario created them. */
interface Holdings { accountId: string; host: string; port: number; message: OutgoingMessage }

export class Access {
  private readonly keys = new Map<string, string>();
  private readonly holdings = new Map<string, Holdings>();
  /** The calls of the last "When": what each one answered. */
  outcomes: CallOutcome[] = [];

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): Access {
    return new Access(world);
  }

  private get secrets(): ScenarioSecrets {
    return this.world.use(ScenarioSecrets.forScenario);
  }

  /** The id of a tenant named in the feature: "acme" -> acme-<sid>. */
  tenantId(name: string): string {
    return `${name}-${this.world.sid}`;
  }

  /** Creates the tenant with the operator's token and keeps the key the proxy returns once. */
  async createTenant(name: string, fields: Record<string, unknown> = {}): Promise<string> {
    const id = this.tenantId(name);
    const admin = this.world.proxy;
    const tenant = await admin.tenants.add({ id, name: `${name} of ${this.world.sid}`, ...fields });
    this.world.teardown.push(`delete tenant ${id}`, async () => {
      await admin.tenants.delete(id);
    });
    if (!tenant.api_key) throw new Error(`the proxy returned no api_key for the new tenant ${id}`);
    this.setKey(name, tenant.api_key);
    return id;
  }

  setKey(name: string, key: string): void {
    this.keys.set(name, key);
    this.secrets.register(`${name}'s key`, key);
  }

  key(name: string): string {
    const key = this.keys.get(name);
    if (!key) throw new Error(`tenant "${name}" has no key in this scenario`);
    return key;
  }

  /** The proxy's API, called with the tenant's key. */
  as(name: string): ProxyApi {
    return this.world.proxy.as(this.key(name));
  }

  /** The proxy's API with no token at all, or with any token. */
  withToken(token: string | null): ProxyApi {
    return this.world.proxy.as(token);
  }

  /** Makes one call and records its outcome; never throws on an HTTP error. */
  async call(api: ProxyApi, method: Method, path: string, input: { json?: unknown; query?: Query } = {}): Promise<CallOutcome> {
    const proxy = currentProxyInstance(this.world);
    const logBefore = proxy.logTail(LOG_LINES).length;
    const response = await api.raw(method, path, input);
    const outcome: CallOutcome = {
      call: `${method} ${path}`,
      status: response.status,
      contentType: String(response.headers['content-type'] ?? '(none)'),
      body: response.body,
    };
    if (response.status >= 500) outcome.cause = await this.loggedCause(() => proxy.logTail(LOG_LINES).slice(logBefore));
    this.outcomes.push(outcome);
    return outcome;
  }

  /** The exception the proxy logs for a 5xx; uvicorn writes it just after the answer, so wait for it briefly. */
  private async loggedCause(newLog: () => string): Promise<string | undefined> {
    try {
      return await eventually(
        { description: 'the proxy to log the exception behind its 5xx answer', timeoutMs: 5000, intervalMs: 50 },
        () => lastException(newLog()),
        (cause) => cause !== undefined,
      );
    } catch {
      return undefined;
    }
  }

  /** Starts a new series of calls (one "When"). */
  reset(): void {
    this.outcomes = [];
  }

  get last(): CallOutcome {
    const last = this.outcomes.at(-1);
    if (!last) throw new Error('no call was made in this scenario');
    return last;
  }

  private held(name: string): Holdings {
    const found = this.holdings.get(name);
    if (!found) throw new Error(`tenant "${name}" has no account and message in this scenario`);
    return found;
  }

  private sinkAccount(id: string, tenantId: string | undefined): AccountInput {
    if (!tenantId) throw new Error('create a tenant before its account');
    const sink = this.world.session.endpoints.mailpit.smtpForProxy;
    return { id, tenant_id: tenantId, host: sink.host, port: sink.port, use_tls: false };
  }

  // ------------------------------------------------------------------ a tenant's own key

  /** The tenant adds, with its own key, an account on the sink; it becomes the scenario's account. */
  async addOwnSinkAccount(name: string): Promise<void> {
    const id = `smtp-${this.world.sid}`;
    await this.as(name).accounts.add(this.sinkAccount(id, this.tenantId(name)));
    this.world.tenantId = this.tenantId(name);
    this.world.accountId = id;
  }

  async submitWithOwnKey(name: string, alias: string): Promise<void> {
    const message = this.world.draft(alias);
    this.world.messages.set(alias, message);
    this.world.lastSubmission = await this.as(name).messages.addBatch([message]);
    expect(this.world.lastSubmission, 'the answer to the submission').to.deep.include({ queued: 1, rejected: [] });
  }

  async waitForOwnStatus(name: string, alias: string, status: string): Promise<void> {
    const message = this.world.message(alias);
    await eventually(
      { description: `${name} to see the message "${alias}" as ${status}, with its key`, timeoutMs: this.world.deliveryTimeoutMs },
      () => this.as(name).messages.list(message.tenant_id),
      (list) => list.find((m) => m.id === message.id)?.status === status,
    );
  }

  async listOwnAccounts(name: string): Promise<CallOutcome> {
    return this.call(this.as(name), 'GET', '/accounts/list', { query: { tenant_id: this.tenantId(name) } });
  }

  /** Replaces the tenant's key (operator's token) with one that expires at `expiresAt` (epoch seconds). */
  async replaceKey(name: string, expiresAt: number): Promise<void> {
    this.setKey(name, (await this.world.proxy.tenants.createApiKey(this.tenantId(name), expiresAt)).api_key);
  }

  // ------------------------------------------------------------------ one tenant against another

  /** The operator gives the tenant an account on the sink and a message held in a suspended batch. */
  async giveAccountAndHeldMessage(name: string, alias: string): Promise<void> {
    const tenantId = this.tenantId(name);
    const account = this.sinkAccount(`smtp-${name}-${this.world.sid}`, tenantId);
    await this.world.proxy.accounts.add(account);
    const batch = this.world.batchCode(`${name}-held`);
    await this.world.proxy.tenants.suspendBatch(tenantId, batch);
    const message: OutgoingMessage = {
      id: this.world.messageId(alias), tenant_id: tenantId, account_id: account.id, batch_code: batch,
      from: this.world.address(`${name}-office`), to: [this.world.address(`${alias}-recipient`)], subject: `Message ${alias} of ${name}`, body: `Body of ${alias}`,
    };
    this.world.messages.set(alias, message);
    expect(await this.world.proxy.messages.addBatch([message]), `the submission of "${alias}"`).to.deep.include({ queued: 1, rejected: [] });
    this.holdings.set(name, { accountId: account.id, host: account.host, port: account.port, message });
  }

  /** With its key, `name` asks for the other tenant's account list, account, message list and message. */
  async readOthers(name: string, other: string): Promise<void> {
    const [api, tenantId, { accountId, message }] = [this.as(name), this.tenantId(other), this.held(other)];
    this.reset();
    await this.call(api, 'GET', '/accounts/list', { query: { tenant_id: tenantId } });
    await this.call(api, 'GET', '/accounts/get', { query: { tenant_id: tenantId, account_id: accountId } });
    await this.call(api, 'GET', '/messages/list', { query: { tenant_id: tenantId } });
    await this.call(api, 'GET', '/messages/get', { query: { tenant_id: tenantId, message_id: message.id } });
  }

  /** With its key, `name` points the other tenant's account elsewhere, then deletes its message and the account. */
  async tamperWith(name: string, other: string): Promise<void> {
    const [api, tenantId, { accountId, message }] = [this.as(name), this.tenantId(other), this.held(other)];
    this.reset();
    await this.call(api, 'POST', '/accounts/add', { json: { id: accountId, tenant_id: tenantId, host: `smtp.${name}-takeover.example.test`, port: 25, use_tls: false } });
    await this.call(api, 'POST', '/messages/delete_batch', { json: { tenant_id: tenantId, ids: [message.id] } });
    await this.call(api, 'POST', '/accounts/delete', { json: { tenant_id: tenantId, account_id: accountId } });
  }

  /** With its key, `name` creates a tenant and replaces the other tenant's key. */
  async overreach(name: string, other: string): Promise<void> {
    const [api, intruder, admin] = [this.as(name), this.tenantId('intruder'), this.world.proxy];
    this.world.teardown.push(`delete tenant ${intruder} if it was created`, async () => {
      await admin.tenants.delete(intruder);
    });
    this.reset();
    const created = await this.call(api, 'POST', '/tenants/add', { json: { id: intruder, name: 'made with another tenant\'s key' } });
    const replaced = await this.call(api, 'POST', '/tenants/create_api_key', { json: { tenant_id: this.tenantId(other) } });
    for (const [purpose, body] of [['intruder key', created.body], [`${other}'s replaced key`, replaced.body]] as const) {
      const key = (body as { api_key?: unknown } | null)?.api_key;
      if (typeof key === 'string') this.secrets.register(purpose, key);
    }
  }

  assertAllRefused(): void {
    const allowed = this.outcomes.filter((o) => !REFUSED.includes(o.status)).map(Access.describe);
    expect(allowed, `calls the proxy did not refuse (refused means HTTP ${REFUSED.join(', ')})`).to.deep.equal([]);
  }

  /** The other tenant's account still points where it did, and its message is still held. */
  async assertUntouched(name: string, alias: string): Promise<void> {
    const [tenantId, { accountId, host, port, message }] = [this.tenantId(name), this.held(name)];
    const account = (await this.world.proxy.accounts.list(tenantId)).find((a) => a.id === accountId);
    expect(account && { host: account.host, port: account.port }, `${name}'s account`).to.deep.equal({ host, port });
    const listed = (await this.world.proxy.messages.list(tenantId)).find((m) => m.id === message.id);
    expect(listed && { status: listed.status, subject: listed.message.subject }, `${name}'s message "${alias}"`).to.deep.equal({ status: 'pending', subject: message.subject });
  }

  // ------------------------------------------------------------------ bad input

  async addAccountWithout(field: string): Promise<void> {
    const account: Record<string, unknown> = { ...this.sinkAccount(`incomplete-${this.world.sid}`, this.world.tenantId) };
    if (!(field in account)) throw new Error(`"${field}" is not a field of an account here (${Object.keys(account).join(', ')})`);
    delete account[field];
    this.reset();
    await this.call(this.world.proxy, 'POST', '/accounts/add', { json: account });
  }

  async askForNothing(): Promise<void> {
    const [api, sid, tenantId] = [this.world.proxy, this.world.sid, this.world.tenantId];
    this.reset();
    await this.call(api, 'GET', '/tenants/get', { query: { tenant_id: `nobody-${sid}` } });
    await this.call(api, 'GET', '/accounts/get', { query: { tenant_id: tenantId, account_id: `nothing-${sid}` } });
    await this.call(api, 'GET', '/messages/get', { query: { tenant_id: tenantId, message_id: `never-sent-${sid}` } });
  }

  /** Submits the messages in one batch; `invalid` gets the given (non-integer) priority. */
  async submitWithBadPriority(aliases: string[], invalid: string, priority: string): Promise<void> {
    const drafts = aliases.map((alias) => {
      const message: Omit<OutgoingMessage, 'priority'> & { priority?: unknown } = this.world.draft(alias);
      if (alias === invalid) message.priority = priority;
      this.world.messages.set(alias, message as OutgoingMessage);
      return message;
    });
    this.reset();
    await this.call(this.world.proxy, 'POST', '/messages/add_batch', { json: { messages: drafts } });
  }

  /** The ids of the scenario's messages the proxy keeps equal those its last answer queued. */
  async assertKeptAsAnswered(): Promise<void> {
    const answer = this.last;
    const ids = [...this.world.messages.values()].map((m) => m.id);
    let queued: string[] = [];
    if (answer.status >= 200 && answer.status < 300) {
      const rejected = ((answer.body as { rejected?: { id: string | null }[] }).rejected ?? []).map((r) => r.id);
      queued = ids.filter((id) => !rejected.includes(id));
    }
    const kept = (await this.world.proxy.messages.list(this.world.tenantId!)).map((m) => m.id).filter((id) => ids.includes(id));
    expect(kept.sort(), `messages the proxy kept, although its answer (${Access.describe(answer)}) queued only ${JSON.stringify(queued)}`).to.deep.equal(queued.sort());
  }

  /** The last answer rejects the message: in `rejected` of a 2xx, or as a 4xx JSON error. */
  assertRejected(alias: string): void {
    const answer = this.last;
    if (answer.status >= 200 && answer.status < 300) {
      expect((answer.body as { rejected?: { id: string | null }[] }).rejected?.map((r) => r.id), 'rejected, in the answer').to.include(this.world.messageId(alias));
    } else {
      expect(Access.describe(answer), 'the answer').to.match(/: HTTP 4\d\d application\/json$/);
    }
  }

  /** With the operator's token, deletes for `name` its message, another tenant's, and an id that never existed (recorded). */
  async bulkDelete(name: string, own: string, others: string, neverSent: string): Promise<void> {
    const ids = [this.world.messageId(own), this.world.messageId(others), this.world.messageId(neverSent)];
    this.reset();
    await this.call(this.world.proxy, 'POST', '/messages/delete_batch', { json: { tenant_id: this.tenantId(name), ids } });
  }

  /** The answer of the bulk delete names what it removed, what was not the tenant's, and what it did not find. */
  assertBulkDeleteAnswer(removed: string[], notTheTenants: string[], notFound: string[]): void {
    const answer = this.last;
    expect(Access.describe(answer), 'the answer to the bulk delete').to.equal('POST /messages/delete_batch: HTTP 200 application/json');
    const body = answer.body as { ok?: boolean; removed?: number; unauthorized?: string[] | null; not_found?: string[] | null };
    const ids = (aliases: string[]) => aliases.map((a) => this.world.messageId(a));
    expect({ ok: body.ok, removed: body.removed, unauthorized: body.unauthorized ?? [], not_found: body.not_found ?? [] }, 'the answer to the bulk delete')
      .to.deep.equal({ ok: true, removed: removed.length, unauthorized: ids(notTheTenants), not_found: ids(notFound) });
  }

  /** Ids of `name`'s messages in the message list. */
  async listedIdsOf(name: string): Promise<string[]> {
    return (await this.world.proxy.messages.list(this.tenantId(name))).map((m) => m.id);
  }

  /** Adds (recorded) an account on the mail sink for a tenant id nobody created. */
  async addAccountForUnknownTenant(): Promise<void> {
    const [api, tenantId, accountId] = [this.world.proxy, `nobody-${this.world.sid}`, `smtp-${this.world.sid}`];
    this.world.teardown.push(`delete account ${accountId} of ${tenantId}, if it was added`, async () => {
      await api.accounts.delete(tenantId, accountId);
    });
    this.world.tenantId = tenantId;
    this.reset();
    await this.call(api, 'POST', '/accounts/add', { json: this.sinkAccount(accountId, tenantId) });
  }

  /** Submits (recorded) one message with the given priority, as it is, without the client's types. */
  async submitWithPriority(alias: string, priority: number): Promise<void> {
    const message = this.world.draft(alias, { priority });
    this.world.messages.set(alias, message);
    this.reset();
    await this.call(this.world.proxy, 'POST', '/messages/add_batch', { json: { messages: [message] } });
  }

  /** The last submission refused the message (a 4xx, or in `rejected`), or the message is sent; never left waiting. */
  async assertRefusedOrSent(alias: string): Promise<void> {
    const answer = this.last;
    const rejected = ((answer.body as { rejected?: { id: string | null }[] } | undefined)?.rejected ?? []).map((r) => r.id);
    if ((answer.status >= 400 && answer.status < 500) || rejected.includes(this.world.messageId(alias))) return;
    expect(Access.describe(answer), `the answer to the submission of "${alias}"`).to.equal('POST /messages/add_batch: HTTP 200 application/json');
    await this.world.waitForStatus(alias, 'sent');
  }

  // ------------------------------------------------------------------ secrets in reads

  /** Adds (recorded) an account with a user and a random password: the "password" of the scenario. */
  async addAccountWithPassword(): Promise<void> {
    await this.world.createTenant();
    this.world.accountId = `smtp-${this.world.sid}`;
    const account = { ...this.sinkAccount(this.world.accountId, this.world.tenantId), user: 'mailer', password: this.secrets.make('password') };
    this.reset();
    expect((await this.call(this.world.proxy, 'POST', '/accounts/add', { json: account })).status, 'adding the account').to.equal(200);
  }

  /** Adds (recorded) a PEC account whose IMAP password is random: the "password" of the scenario. */
  async addPecAccountWithPassword(): Promise<void> {
    await this.world.createTenant();
    this.world.accountId = `pec-${this.world.sid}`;
    const imap = this.world.session.endpoints.imap.forProxy;
    const account = {
      ...this.sinkAccount(this.world.accountId, this.world.tenantId),
      imap_host: imap.host, imap_port: imap.port, imap_user: `receipts-${this.world.sid}`, imap_password: this.secrets.make('password'),
    };
    this.reset();
    expect((await this.call(this.world.proxy, 'POST', '/accounts/add_pec', { json: account })).status, 'adding the PEC account').to.equal(200);
  }

  /** Adds (recorded) a tenant whose delivery reports carry a random bearer token: the "token" of the scenario. */
  async addTenantWithReportToken(): Promise<void> {
    const [id, admin] = [`tenant-${this.world.sid}`, this.world.proxy];
    // An address on this machine where nothing listens: the proxy's report attempts fail and are only logged.
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    this.reset();
    const added = await this.call(admin, 'POST', '/tenants/add', {
      json: { id, name: `Scenario ${this.world.sid}`, client_base_url: nowhere, client_auth: { method: 'bearer', token: this.secrets.make('token') } },
    });
    this.world.teardown.push(`delete tenant ${id}`, async () => {
      await admin.tenants.delete(id);
    });
    const key = (added.body as { api_key?: unknown }).api_key;
    if (typeof key === 'string') this.secrets.register('tenant key', key);
    expect(added.status, 'adding the tenant').to.equal(200);
    this.world.tenantId = id;
  }

  /** Stores (recorded) a token in the proxy's settings and a bounce mailbox whose password is random: the "token" and the "password". */
  async storeInstanceSecrets(): Promise<void> {
    const [api, imap] = [this.world.proxy, this.world.session.endpoints.imap.forProxy];
    this.reset();
    const stored = [
      await this.call(api, 'POST', '/instance/update', { json: { api_token: this.secrets.make('token') } }),
      // Switched off: the proxy is only to keep these settings, not to poll the mailbox.
      await this.call(api, 'POST', '/instance/set_bounce_config', {
        json: { enabled: false, imap_host: imap.host, imap_port: imap.port, imap_user: `bounces-${this.world.sid}`, imap_password: this.secrets.make('password'), imap_ssl: false },
      }),
    ];
    expect(stored.map(Access.describe), 'storing the settings').to.deep.equal(['POST /instance/update: HTTP 200 application/json', 'POST /instance/set_bounce_config: HTTP 200 application/json']);
  }

  /** The name of the scenario's S3 storage. */
  readonly storageName = 'ARCHIVE';

  /** Adds (recorded) an S3 storage whose secret access key is random: the "secret key" of the scenario. */
  async addS3StorageWithSecret(): Promise<void> {
    await this.world.createTenant();
    const storage = {
      tenant_id: this.world.tenantId,
      name: this.storageName,
      protocol: 's3',
      config: { bucket: `archive-${this.world.sid}`, prefix: 'attachments/', aws_access_key_id: `reader-${this.world.sid}`, aws_secret_access_key: this.secrets.make('secret key') },
    };
    const [api, tenantId] = [this.world.proxy, this.world.tenantId!];
    this.world.teardown.push(`delete storage ${this.storageName} of ${tenantId}`, async () => {
      await api.storages.delete(tenantId, this.storageName);
    });
    this.reset();
    expect(Access.describe(await this.call(api, 'POST', '/storages/add', { json: storage })), 'adding the storage').to.equal('POST /storages/add: HTTP 200 application/json');
  }

  /** None of the recorded answers (at least `reads` of them) holds the scenario's secret. */
  assertNoAnswerHolds(secret: string, reads = 3): void {
    const value = this.secrets.get(secret);
    const leaks = this.outcomes.flatMap((o) => pathsHolding(o.body, value).map((path) => `${o.call} (${path})`));
    expect(this.outcomes.length, 'answers read back').to.be.at.least(reads);
    expect(leaks, `answers that contain the ${secret} (where)`).to.deep.equal([]);
  }

  /** As assertNoAnswerHolds, for several secrets: one failure names every leak of each. */
  assertNoAnswerHoldsAny(secrets: string[], reads: number): void {
    const leaks = secrets.flatMap((secret) => {
      const value = this.secrets.get(secret);
      return this.outcomes.flatMap((o) => pathsHolding(o.body, value).map((path) => `${o.call} (${path}: the ${secret})`));
    });
    expect(this.outcomes.length, 'answers read back').to.be.at.least(reads);
    expect(leaks, `answers that contain the ${secrets.join(' or the ')} (where: what)`).to.deep.equal([]);
  }

  /** None of the recorded answers holds the tenant's key, a usual digest of it, or a field for its hash. */
  assertNoKeyMaterial(name: string): void {
    const forms = keyForms(this.key(name));
    const leaks = this.outcomes.flatMap((o) => [
      ...forms.flatMap(([form, value]) => pathsHolding(o.body, value).map((path) => `${o.call} (${path}: ${form})`)),
      ...keyHashFields(o.body).map((path) => `${o.call} (${path}: a field for the key's hash)`),
    ]);
    expect(this.outcomes.length, 'answers read back').to.be.at.least(2);
    expect([...new Set(leaks)], `answers that reveal ${name}'s key (where: what)`).to.deep.equal([]);
  }

  /** A one-line account of a call, without its body (bodies may hold secrets). */
  static describe(outcome: CallOutcome): string {
    return `${outcome.call}: HTTP ${outcome.status} ${outcome.contentType.split(';')[0]}${outcome.cause ? ` (proxy log: ${outcome.cause})` : ''}`;
  }
}
