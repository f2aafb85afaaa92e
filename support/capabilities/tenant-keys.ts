/**
 * Over 300 lines on purpose: the one world object of the tenant-key features: keys, their rotation and every reach across tenants, checked with the same recorded answers.
 *
 * Tenants with keys of their own, and what one tenant's key may reach: its own accounts
 * and messages, and nothing of another tenant's.
 *
 * Tenant ids carry the scenario id ("acme" -> acme-<sid>); keys come from the proxy and
 * are registered with ScenarioSecrets so that no report shows them. The calls a scenario
 * looks at are recorded in Answers (support/capabilities/answers.ts).
 *
 * Reach it as `world.use(TenantKeys.forScenario)`.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { OutgoingMessage, ProxyApi, TenantInput } from '../clients/proxy-api.js';
import { eventually } from '../base/eventually.js';
import { ScenarioSecrets } from '../base/secrets.js';
import { Answers, type RecordedAnswer } from './answers.js';
import { OwnProxy } from './own-proxy.js';
import { sinkAccountInput } from './sink-account.js';
import type { GenroWorld } from '../cucumber/world.js';

/**
 * How the docs say a tenant key is refused (docs/multi_tenancy.rst, "Token Types and
 * Permissions" and "Authentication Flow"): a call on another tenant's data gets HTTP 401
 * with "Token not authorized for this tenant"; an admin-only call gets HTTP 403 (the docs
 * give no text, so any error text of its own).
 */
export const REFUSALS = {
  'another tenant': { status: 401, detail: 'Token not authorized for this tenant' },
  'admin only': { status: 403, detail: undefined },
} as const;
type Refusal = keyof typeof REFUSALS;

/** Another tenant's SMTP account and held message, as the scenario created them. */
interface Holdings { accountId: string; host: string; port: number; message: OutgoingMessage }

export class TenantKeys {
  private readonly keys = new Map<string, string>();
  /** A tenant's key before the operator gave it a new one. */
  private readonly oldKeys = new Map<string, string>();
  private readonly holdings = new Map<string, Holdings>();
  /** How the calls of the last "When" must be refused. */
  private refusal: Refusal = 'another tenant';

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): TenantKeys {
    return new TenantKeys(world);
  }

  private get secrets(): ScenarioSecrets {
    return this.world.use(ScenarioSecrets.forScenario);
  }

  private get answers(): Answers {
    return this.world.use(Answers.forScenario);
  }

  /** The id of a tenant named in the feature: "acme" -> acme-<sid>. */
  tenantId(name: string): string {
    return `${name}-${this.world.sid}`;
  }

  /** Creates the tenant with the operator's token and keeps the key the proxy returns once. */
  async createTenant(name: string, fields: Omit<TenantInput, 'id'> = {}): Promise<string> {
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

  private setKey(name: string, key: string): void {
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

  // ------------------------------------------------------------------ a tenant's own key

  /** The tenant adds, with its own key, an account on the sink; it becomes the scenario's account. */
  async addOwnSinkAccount(name: string): Promise<void> {
    const id = `smtp-${this.world.sid}`;
    await this.as(name).accounts.add(sinkAccountInput(this.world, id, this.tenantId(name)));
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

  /** With its key, the tenant lists its own accounts (recorded). */
  async listOwnAccounts(name: string): Promise<RecordedAnswer> {
    return this.answers.record(this.as(name), (api) => api.accounts.list(this.tenantId(name)));
  }

  /** Replaces the tenant's key (operator's token) with one that expires at `expiresAt` (epoch seconds). */
  async replaceKey(name: string, expiresAt: number): Promise<void> {
    this.setKey(name, (await this.world.proxy.tenants.createApiKey(this.tenantId(name), expiresAt)).api_key);
  }

  /** The operator gives the tenant a new key (no expiry); the one it had becomes its old key. */
  async giveNewKey(name: string): Promise<void> {
    this.oldKeys.set(name, this.key(name));
    this.setKey(name, (await this.world.proxy.tenants.createApiKey(this.tenantId(name))).api_key);
  }

  /**
   * The form of the key the tenant was last handed (docs/multi_tenancy.rst, "Token
   * Properties": 43 characters of URL-safe base64): exactly `length` characters, all of
   * the URL-safe alphabet (A-Z a-z 0-9 - _, no padding), and a canonical encoding (decoding
   * and encoding it again gives it back). The key itself is never put in a message.
   */
  assertKeyForm(name: string, length: number): void {
    const key = this.key(name);
    const outside = [...new Set(key.replace(/[A-Za-z0-9_-]/g, ''))].map((c) => JSON.stringify(c));
    expect({ length: key.length, outsideTheAlphabet: outside, canonical: Buffer.from(key, 'base64url').toString('base64url') === key }, `the form of ${name}'s key`)
      .to.deep.equal({ length, outsideTheAlphabet: [], canonical: true });
  }

  /** The key the operator last gave the tenant is not the one it had before. */
  assertNewKeyDiffers(name: string): void {
    const old = this.oldKeys.get(name);
    if (!old) throw new Error(`tenant "${name}" has not been given a new key in this scenario`);
    expect(this.key(name) === old, `whether ${name}'s new key is its old one`).to.equal(false);
  }

  /**
   * As the operator reads the database of the scenario's own proxy on PostgreSQL (every
   * row of every table of its public schema, as JSON): the tables with a row that holds
   * the value. The values searched for are keys and their digests: letters, digits,
   * - _ + / =, nothing SQL or JSON would escape.
   */
  private async tablesHolding(values: Map<string, string>): Promise<Map<string, string[]>> {
    const own = this.world.use(OwnProxy.forScenario);
    const database = own.database;
    if (!database?.startsWith('postgres')) throw new Error('this scenario has no proxy of its own on PostgreSQL (tag it @own-proxy-on-postgresql)');
    const tables = await own.postgresTables();
    expect(tables, 'the tables of the proxy\'s database').to.not.be.empty;
    const found = new Map<string, string[]>([...values.keys()].map((what) => [what, []]));
    for (const table of tables) {
      const rows = await this.world.session.provider.postgresQuery(database, `select row_to_json(x)::text from "${table.replace(/"/g, '""')}" x`);
      for (const [what, value] of values) if (rows.includes(value)) found.get(what)!.push(table);
    }
    return found;
  }

  /**
   * docs/multi_tenancy.rst, "Token Properties": keys are stored as SHA-256 hashes, the raw
   * key never; one key per tenant. In the database: neither the tenant's key nor its old
   * one, in any table; a SHA-256 digest of its key (hex, base64 or base64url) in some
   * table; none of its old key.
   */
  async assertOnlyCurrentKeyHashed(name: string): Promise<void> {
    const key = this.key(name);
    const old = this.oldKeys.get(name);
    if (!old) throw new Error(`tenant "${name}" has not been given a new key in this scenario`);
    const sha256 = (value: string, encoding: 'hex' | 'base64' | 'base64url') => createHash('sha256').update(value).digest(encoding);
    const values = new Map<string, string>([['the key', key], ['the old key', old]]);
    for (const encoding of ['hex', 'base64', 'base64url'] as const) {
      values.set(`SHA-256 of the key (${encoding})`, sha256(key, encoding));
      values.set(`SHA-256 of the old key (${encoding})`, sha256(old, encoding));
    }
    const found = await this.tablesHolding(values);
    const hashed = [...found].filter(([what, tables]) => what.startsWith('SHA-256 of the key') && tables.length > 0).map(([what, tables]) => `${what}: ${tables.join(', ')}`);
    const forbidden = [...found].filter(([what, tables]) => !what.startsWith('SHA-256 of the key') && tables.length > 0).map(([what, tables]) => `${what}: ${tables.join(', ')}`);
    expect({ hashOfTheKeyStored: hashed.length > 0, alsoStored: forbidden }, `what the database holds of ${name}'s keys (a hash of the key in: ${hashed.join('; ') || 'no table'})`)
      .to.deep.equal({ hashOfTheKeyStored: true, alsoStored: [] });
  }

  /** With its old key, the tenant lists its own accounts (recorded). */
  async listOwnAccountsWithOldKey(name: string): Promise<RecordedAnswer> {
    const old = this.oldKeys.get(name);
    if (!old) throw new Error(`tenant "${name}" has not been given a new key in this scenario`);
    return this.answers.record(this.world.proxy.as(old), (api) => api.accounts.list(this.tenantId(name)));
  }

  // ------------------------------------------------------------------ one tenant against another

  private held(name: string): Holdings {
    const found = this.holdings.get(name);
    if (!found) throw new Error(`tenant "${name}" has no account and message in this scenario`);
    return found;
  }

  /** The operator gives the tenant an account on the sink and a message held in a suspended batch. */
  async giveAccountAndHeldMessage(name: string, alias: string): Promise<void> {
    const tenantId = this.tenantId(name);
    const account = sinkAccountInput(this.world, `smtp-${name}-${this.world.sid}`, tenantId);
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
    this.answers.reset();
    this.refusal = 'another tenant';
    await this.readOthersWith(this.as(name), other);
  }

  /** With its key, `name` points the other tenant's account elsewhere, then deletes its message and the account. */
  async tamperWith(name: string, other: string): Promise<void> {
    const [api, tenantId, { accountId, message }] = [this.as(name), this.tenantId(other), this.held(other)];
    this.answers.reset();
    this.refusal = 'another tenant';
    await this.answers.record(api, (a) => a.accounts.add({ id: accountId, tenant_id: tenantId, host: `smtp.${name}-takeover.example.test`, port: 25, use_tls: false }));
    await this.answers.record(api, (a) => a.messages.deleteBatch(tenantId, [message.id]));
    await this.answers.record(api, (a) => a.accounts.delete(tenantId, accountId));
  }

  /** With its key, `name` creates a tenant and replaces the other tenant's key. */
  async overreach(name: string, other: string): Promise<void> {
    const [api, intruder, admin] = [this.as(name), this.tenantId('intruder'), this.world.proxy];
    this.world.teardown.push(`delete tenant ${intruder} if it was created`, async () => {
      await admin.tenants.delete(intruder);
    });
    this.answers.reset();
    this.refusal = 'admin only';
    const created = await this.answers.record(api, (a) => a.tenants.add({ id: intruder, name: 'made with another tenant\'s key' }));
    const replaced = await this.answers.record(api, (a) => a.tenants.createApiKey(this.tenantId(other)));
    for (const [purpose, body] of [['intruder key', created.body], [`${other}'s replaced key`, replaced.body]] as const) {
      const key = (body as { api_key?: unknown } | null)?.api_key;
      if (typeof key === 'string') this.secrets.register(purpose, key);
    }
  }

  /**
   * Every call of the last "When" was refused as the docs say, with a JSON error that holds
   * the refusal and nothing else (so nothing of the other tenant's data).
   */
  assertAllRefused(): void {
    const { status, detail } = REFUSALS[this.refusal];
    const refusedAsDocumented = (o: RecordedAnswer) => {
      const body = o.body as Record<string, unknown> | null;
      return o.status === status && o.contentType.startsWith('application/json') && body !== null && typeof body === 'object'
        && Object.keys(body).join() === 'detail' && typeof body.detail === 'string' && body.detail !== '' && (detail === undefined || body.detail === detail);
    };
    const wrong = this.answers.all.filter((o) => !refusedAsDocumented(o))
      .map((o) => `${Answers.describe(o)}${o.status >= 400 && o.status < 500 ? ` ${JSON.stringify(o.body)}` : ''}`);
    expect(wrong, `calls the proxy did not refuse as the docs say (HTTP ${status} application/json, only a "detail"${detail ? ` of "${detail}"` : ''})`).to.deep.equal([]);
  }

  /** The calls of the last "When", made again with the other tenant's own key and with the operator's token, all answer 200. */
  async assertAllowedToOwnerAndOperator(other: string): Promise<void> {
    const refused = this.answers.all.length;
    await this.readOthersWith(this.as(other), other);
    await this.readOthersWith(this.world.proxy, other);
    const answered = this.answers.all.slice(refused).map(Answers.describe);
    expect(answered.filter((a) => !a.endsWith(': HTTP 200 application/json')), `the same calls with ${other}'s key, then with the operator's token`).to.deep.equal([]);
    expect(answered, `the same calls with ${other}'s key, then with the operator's token`).to.have.length(2 * refused);
  }

  private async readOthersWith(api: ProxyApi, other: string): Promise<void> {
    const [tenantId, { accountId, message }] = [this.tenantId(other), this.held(other)];
    await this.answers.record(api, (a) => a.accounts.list(tenantId));
    await this.answers.record(api, (a) => a.accounts.get(tenantId, accountId));
    await this.answers.record(api, (a) => a.messages.list(tenantId));
    await this.answers.record(api, (a) => a.messages.get(message.id, tenantId));
  }

  /** The operator's tenant list has no tenant of the given name. */
  async assertNoTenant(name: string): Promise<void> {
    expect((await this.world.proxy.tenants.list()).map((t) => t.id), 'the tenants the operator sees').to.not.include(this.tenantId(name));
  }

  /** The other tenant's account still points where it did, and its message is still held. */
  async assertUntouched(name: string, alias: string): Promise<void> {
    const [tenantId, { accountId, host, port, message }] = [this.tenantId(name), this.held(name)];
    const account = (await this.world.proxy.accounts.list(tenantId)).find((a) => a.id === accountId);
    expect(account && { host: account.host, port: account.port }, `${name}'s account`).to.deep.equal({ host, port });
    const listed = (await this.world.proxy.messages.list(tenantId)).find((m) => m.id === message.id);
    expect(listed && { status: listed.status, subject: listed.message.subject }, `${name}'s message "${alias}"`).to.deep.equal({ status: 'pending', subject: message.subject });
  }

  /** With the operator's token, deletes for `name` its message, another tenant's, and an id that never existed (recorded). */
  async bulkDelete(name: string, own: string, others: string, neverSent: string): Promise<void> {
    const ids = [this.world.messageId(own), this.world.messageId(others), this.world.messageId(neverSent)];
    this.answers.reset();
    await this.answers.record(this.world.proxy, (a) => a.messages.deleteBatch(this.tenantId(name), ids));
  }

  /** The answer of the bulk delete names what it removed, what was not the tenant's, and what it did not find. */
  assertBulkDeleteAnswer(removed: string[], notTheTenants: string[], notFound: string[]): void {
    const answer = this.answers.last;
    expect(Answers.describe(answer), 'the answer to the bulk delete').to.equal('POST /messages/delete_batch: HTTP 200 application/json');
    const body = answer.body as { ok?: boolean; removed?: number; unauthorized?: string[] | null; not_found?: string[] | null };
    const ids = (aliases: string[]) => aliases.map((a) => this.world.messageId(a));
    expect({ ok: body.ok, removed: body.removed, unauthorized: body.unauthorized ?? [], not_found: body.not_found ?? [] }, 'the answer to the bulk delete')
      .to.deep.equal({ ok: true, removed: removed.length, unauthorized: ids(notTheTenants), not_found: ids(notFound) });
  }

  /** Ids of `name`'s messages in the message list. */
  async listedIdsOf(name: string): Promise<string[]> {
    return (await this.world.proxy.messages.list(this.tenantId(name))).map((m) => m.id);
  }
}
