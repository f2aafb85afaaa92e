/**
 * Secrets the proxy stores must not come back in what its API reads out: an account's
 * SMTP or IMAP password, the token a tenant's delivery reports are sent with, a tenant's
 * API key (nor a digest of it), the instance's stored token and bounce mailbox password,
 * a storage's secret key. Every secret is made at random for the run (ScenarioSecrets);
 * the calls that store and read them are recorded in Answers, and every answer is
 * searched for the secret.
 *
 * Reach it as `world.use(StoredSecrets.forScenario)`.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { ProxyApi } from '../clients/proxy-api.js';
import { ScenarioSecrets } from '../base/secrets.js';
import { CallbackReceiver } from '../partners/callback-receiver.js';
import { LoginSmtpServer } from '../partners/login-smtp-server.js';
import { Answers } from './answers.js';
import { sinkAccountInput } from './sink-account.js';
import { TenantKeys } from './tenant-keys.js';
import type { GenroWorld } from '../cucumber/world.js';

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

/** How the application reads a thing back: what the feature says, and the calls that do it. */
interface ReadBack {
  what: RegExp;
  says: string;
  /** The id or name every answer must mention, since it describes the thing read. */
  names: (world: GenroWorld, match: RegExpMatchArray) => string;
  /** The reads start a new series of calls (the thing was not added by this scenario's recorded calls). */
  fresh?: boolean;
  calls: (world: GenroWorld, match: RegExpMatchArray) => ((api: ProxyApi) => Promise<unknown>)[];
}

const READ_BACKS: ReadBack[] = [
  {
    what: /^the account$/,
    says: 'as added, by its id, and in the account list',
    names: (w) => w.accountId!,
    calls: (w) => [(a) => a.accounts.get(w.tenantId!, w.accountId!), (a) => a.accounts.list(w.tenantId)],
  },
  {
    what: /^the PEC account$/,
    says: 'as added, by its id, and in the list of PEC accounts',
    names: (w) => w.accountId!,
    calls: (w) => [(a) => a.accounts.get(w.tenantId!, w.accountId!), (a) => a.accounts.listPec()],
  },
  {
    what: /^the tenant$/,
    says: 'as added, by its id, and in the tenant list',
    names: (w) => w.tenantId!,
    calls: (w) => [(a) => a.tenants.get(w.tenantId!), (a) => a.tenants.list()],
  },
  {
    what: /^the tenant (\w+)$/,
    says: 'by its id and in the tenant list',
    names: (w, [, name]) => w.use(TenantKeys.forScenario).tenantId(name!),
    fresh: true,
    calls: (w, [, name]) => [(a) => a.tenants.get(w.use(TenantKeys.forScenario).tenantId(name!)), (a) => a.tenants.list()],
  },
  {
    what: /^the proxy's settings$/,
    says: 'all of them, and those of the bounce mailbox',
    names: (w) => `bounces-${w.sid}`,
    calls: () => [(a) => a.instance.get(), (a) => a.instance.getBounceConfig()],
  },
  {
    what: /^the storage$/,
    says: "as added, by its name, and in the tenant's list of storages",
    names: () => StoredSecrets.STORAGE,
    calls: (w) => [(a) => a.storages.get(w.tenantId!, StoredSecrets.STORAGE), (a) => a.storages.list(w.tenantId)],
  },
];

/** A stored secret as written and in the usual encodings: what would hand it over all the same. */
export function secretForms(secret: string): [form: string, value: string][] {
  const bytes = Buffer.from(secret);
  return [['', secret], ['base64', bytes.toString('base64')], ['base64url', bytes.toString('base64url')], ['hex', bytes.toString('hex')]];
}

export class StoredSecrets {
  /** The name of the scenario's S3 storage. */
  static readonly STORAGE = 'ARCHIVE';
  /** The SMTP user of the account with a password. */
  static readonly SMTP_USER = 'mailer';
  /** What the recorded reads must mention: the thing they describe. */
  private names: string | undefined;
  /** The first recorded call that reads the thing back. */
  private readsFrom = 0;

  /** The scenario's random secrets, and the answers of the calls that store and read them. */
  private readonly secrets: ScenarioSecrets;
  private readonly answers: Answers;

  private constructor(private readonly world: GenroWorld) {
    [this.secrets, this.answers] = [world.use(ScenarioSecrets.forScenario), world.use(Answers.forScenario)];
  }

  static forScenario(this: void, world: GenroWorld): StoredSecrets {
    return new StoredSecrets(world);
  }

  // ------------------------------------------------------------------ storing them

  /**
   * Adds (recorded) an account with a user and a random password (the "password" of the
   * scenario), on an SMTP server that takes mail only after a login with exactly those.
   */
  async addAccountWithPassword(): Promise<void> {
    await this.world.createTenant();
    this.world.accountId = `smtp-${this.world.sid}`;
    const login = { user: StoredSecrets.SMTP_USER, password: this.secrets.make('password') };
    const server = await this.world.use(LoginSmtpServer.forScenario).start(login, this.world.session.endpoints.partners);
    const account = { ...sinkAccountInput(this.world, this.world.accountId, this.world.tenantId), host: server.host, port: server.port, ...login };
    this.answers.reset();
    expect((await this.answers.record(this.world.proxy, (a) => a.accounts.add(account))).status, 'adding the account').to.equal(200);
  }

  /** Adds (recorded) a PEC account whose IMAP password is random: the "password" of the scenario. */
  async addPecAccountWithPassword(): Promise<void> {
    await this.world.createTenant();
    this.world.accountId = `pec-${this.world.sid}`;
    const imap = this.world.session.endpoints.imap.forProxy;
    const account = {
      ...sinkAccountInput(this.world, this.world.accountId, this.world.tenantId),
      imap_host: imap.host, imap_port: imap.port, imap_user: `receipts-${this.world.sid}`, imap_password: this.secrets.make('password'),
    };
    this.answers.reset();
    expect((await this.answers.record(this.world.proxy, (a) => a.accounts.addPec(account))).status, 'adding the PEC account').to.equal(200);
  }

  /** Adds (recorded) a tenant whose delivery reports carry a random bearer token: the "token" of the scenario. */
  async addTenantWithReportToken(): Promise<void> {
    const [id, admin] = [`tenant-${this.world.sid}`, this.world.proxy];
    const application = await this.world.use(CallbackReceiver.forScenario).start(this.world.session.endpoints.partners);
    this.answers.reset();
    const added = await this.answers.record(admin, (a) => a.tenants.add({
      id, name: `Scenario ${this.world.sid}`, client_base_url: application, client_auth: { method: 'bearer', token: this.secrets.make('token') },
    }));
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
    this.answers.reset();
    const stored = [
      await this.answers.record(api, (a) => a.instance.update({ api_token: this.secrets.make('token') })),
      // Switched off: the proxy is only to keep these settings, not to poll the mailbox.
      await this.answers.record(api, (a) => a.instance.setBounceConfig({
        enabled: false, imap_host: imap.host, imap_port: imap.port, imap_user: `bounces-${this.world.sid}`, imap_password: this.secrets.make('password'), imap_ssl: false,
      })),
    ];
    expect(stored.map(Answers.describe), 'storing the settings').to.deep.equal(['POST /instance/update: HTTP 200 application/json', 'POST /instance/set_bounce_config: HTTP 200 application/json']);
  }

  /** Adds (recorded) an S3 storage whose secret access key is random: the "secret key" of the scenario. */
  async addS3StorageWithSecret(): Promise<void> {
    await this.world.createTenant();
    const [api, tenantId, name] = [this.world.proxy, this.world.tenantId!, StoredSecrets.STORAGE];
    const config = { bucket: `archive-${this.world.sid}`, prefix: 'attachments/', aws_access_key_id: `reader-${this.world.sid}`, aws_secret_access_key: this.secrets.make('secret key') };
    this.world.teardown.push(`delete storage ${name} of ${tenantId}`, async () => {
      await api.storages.delete(tenantId, name);
    });
    this.answers.reset();
    const added = await this.answers.record(api, (a) => a.storages.add({ tenant_id: tenantId, name, protocol: 's3', config }));
    expect(Answers.describe(added), 'adding the storage').to.equal('POST /storages/add: HTTP 200 application/json');
  }

  // ------------------------------------------------------------------ reading them back

  /** Reads the thing back (recorded) as the feature says; the feature's words must be what the suite does. */
  async readBack(what: string, how: string): Promise<void> {
    const read = READ_BACKS.find((r) => r.what.test(what));
    if (!read) throw new Error(`the suite does not know how to read back ${what}`);
    if (read.says !== how) throw new Error(`the suite reads ${what} back "${read.says}", not "${how}"`);
    if (read.fresh) this.answers.reset();
    const match = what.match(read.what)!;
    this.names = read.names(this.world, match);
    // "as added": the answer that stored it is one of the reads; otherwise only the calls made now.
    this.readsFrom = how.startsWith('as added') ? 0 : this.answers.all.length;
    for (const call of read.calls(this.world, match)) await this.answers.record(this.world.proxy, call);
  }

  /** Every recorded call was answered 200 with JSON that describes the thing (mentions its id or name). */
  private assertReadsAnswered(): void {
    const names = this.names;
    const wrong = this.answers.all.slice(this.readsFrom).filter((o) => o.status !== 200 || !o.contentType.startsWith('application/json') || (names !== undefined && !JSON.stringify(o.body).includes(names)));
    expect(wrong.map(Answers.describe), `answers that are not HTTP 200 JSON describing ${names}`).to.deep.equal([]);
  }

  /** Where the answer holds the secret, as written or encoded: "path" or "path: base64". */
  private leaksOf(body: unknown, secret: string): string[] {
    return secretForms(secret).flatMap(([form, value]) => pathsHolding(body, value).map((path) => (form ? `${path}: ${form}` : path)));
  }

  /** None of the recorded answers (at least `reads` of them) holds the scenario's secret. */
  assertNoAnswerHolds(secret: string, reads = 3): void {
    const value = this.secrets.get(secret);
    const outcomes = this.answers.all;
    const leaks = outcomes.flatMap((o) => this.leaksOf(o.body, value).map((path) => `${o.call} (${path})`));
    expect(outcomes.length, 'answers read back').to.be.at.least(reads);
    expect(leaks, `answers that contain the ${secret} (where)`).to.deep.equal([]);
    this.assertReadsAnswered();
  }

  /** As assertNoAnswerHolds, for several secrets: one failure names every leak of each. */
  assertNoAnswerHoldsAny(secrets: string[], reads: number): void {
    const outcomes = this.answers.all;
    const leaks = secrets.flatMap((secret) => {
      const value = this.secrets.get(secret);
      return outcomes.flatMap((o) => this.leaksOf(o.body, value).map((path) => `${o.call} (${path.replace(/: (\w+)$/, '')}: the ${secret}${/: (\w+)$/.exec(path)?.[0].replace(':', ',') ?? ''})`));
    });
    expect(outcomes.length, 'answers read back').to.be.at.least(reads);
    expect(leaks, `answers that contain the ${secrets.join(' or the ')} (where: what)`).to.deep.equal([]);
    this.assertReadsAnswered();
  }

  /** None of the recorded answers holds the tenant's key, a usual digest of it, or a field for its hash. */
  assertNoKeyMaterial(name: string): void {
    const forms = keyForms(this.world.use(TenantKeys.forScenario).key(name));
    const outcomes = this.answers.all;
    const leaks = outcomes.flatMap((o) => [
      ...forms.flatMap(([form, value]) => pathsHolding(o.body, value).map((path) => `${o.call} (${path}: ${form})`)),
      ...keyHashFields(o.body).map((path) => `${o.call} (${path}: a field for the key's hash)`),
    ]);
    expect(outcomes.length, 'answers read back').to.be.at.least(2);
    expect([...new Set(leaks)], `answers that reveal ${name}'s key (where: what)`).to.deep.equal([]);
    this.assertReadsAnswered();
  }

  // ------------------------------------------------------------------ the secrets still work

  /** A message through the account reaches the SMTP server that takes mail only after a login with the stored password. */
  async assertStillLogsIn(): Promise<void> {
    const alias = 'login-check';
    await this.world.submit([{ alias, message: this.world.draft(alias) }]);
    await this.world.use(LoginSmtpServer.forScenario).waitForMessage(this.world.address(`${alias}-recipient`), StoredSecrets.SMTP_USER, this.world.deliveryTimeoutMs);
  }

  /** A message of the tenant is reported to the application with the stored bearer token. */
  async assertReportsStillCarryToken(): Promise<void> {
    const alias = 'token-check';
    if (!this.world.accountId) await this.world.createSinkAccount();
    await this.world.submit([{ alias, message: this.world.draft(alias) }]);
    const receiver = this.world.use(CallbackReceiver.forScenario);
    const { request } = await receiver.waitForItem(this.world.messageId(alias), `a delivery report for "${alias}"`, this.world.deliveryTimeoutMs);
    expect(request.headers.authorization === `Bearer ${this.secrets.get('token')}`, 'the report carries the stored bearer token in its Authorization header').to.equal(true);
  }
}
