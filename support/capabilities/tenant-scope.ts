/**
 * A tenant's key is confined to its own tenant, on every route family a tenant key can
 * call (tenants, accounts, messages, storages, command log, instance), whether the call
 * names another tenant or, as an application naturally calls with its own key, names no
 * tenant at all (docs/multi_tenancy.rst, "API Authentication Model", "Token Types and
 * Permissions" and "Authentication Flow"; docs/api_reference.rst).
 *
 * A feature gives the calls as a table, each line a call in words and the answer the docs
 * give a tenant's key:
 *
 *  - "refused: not authorized for this tenant": HTTP 401 application/json with only
 *    {"detail": "Token not authorized for this tenant"} (a tenant-scoped call on another
 *    tenant's data);
 *  - "refused: for the operator only": HTTP 403 application/json with only a "detail"
 *    (an admin-only call; the docs give no text);
 *  - "<name>'s own only": HTTP 200 application/json listing exactly the caller's own
 *    items of that kind, no more, no fewer (a tenant-scoped call that names no tenant).
 *
 * Each tenant gets data of its own in every family: an SMTP account on the sink with a
 * message held in a suspended batch, a PEC account and a storage. Tenant ids carry the
 * scenario id, so the lists of one scenario never meet another's.
 *
 * Reach it as `world.use(TenantScope.forScenario)`.
 */
import { expect } from 'chai';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProxyApi } from '../clients/proxy-api.js';
import { Answers, type RecordedAnswer } from './answers.js';
import { REFUSALS, TenantKeys } from './tenant-keys.js';
import type { GenroWorld } from '../cucumber/world.js';

/** What a tenant holds in each route family, as the operator created it. */
interface Holdings { accountIds: string[]; pecAccountId: string; storage: string; messageId: string; messagePk: string }

/** The tenant a call is about, resolved from the call's words. */
interface Target { name: string; id: string; holdings: Holdings }

/** What the proxy must list for the caller's own items of a kind. */
type OwnItems = (own: Holdings) => string[];

interface CallDefinition {
  /** The call in the feature's words; `(\w+)` is the tenant it is about, where it names one. */
  words: RegExp;
  run: (api: ProxyApi, target: Target | undefined) => Promise<unknown>;
  /** For a call that names no tenant and lists items: the caller's own items of that kind. */
  own?: OwnItems;
}

const CALLS: CallDefinition[] = [
  // tenants
  { words: /^read (\w+)'s tenant record$/, run: (a, t) => a.tenants.get(t!.id) },
  { words: /^rename (\w+)$/, run: (a, t) => a.tenants.update(t!.id, { name: 'renamed with another tenant\'s key' }) },
  { words: /^suspend (\w+)'s sending$/, run: (a, t) => a.tenants.suspendBatch(t!.id, null) },
  { words: /^list the tenants$/, run: (a) => a.tenants.list() },
  // accounts
  { words: /^list (\w+)'s accounts$/, run: (a, t) => a.accounts.list(t!.id) },
  {
    words: /^add a PEC account for (\w+)$/,
    run: (a, t) => a.accounts.addPec({ id: t!.holdings.pecAccountId, tenant_id: t!.id, host: 'smtp.takeover.example.test', port: 25, use_tls: false, imap_host: 'imap.takeover.example.test' }),
  },
  { words: /^list the accounts, naming no tenant$/, run: (a) => a.accounts.list(undefined), own: (h) => h.accountIds },
  { words: /^list the PEC accounts$/, run: (a) => a.accounts.listPec(), own: (h) => [h.pecAccountId] },
  { words: /^list the ids of the PEC accounts$/, run: (a) => a.accounts.pecIds(), own: (h) => [h.pecAccountId] },
  // messages
  { words: /^count (\w+)'s messages waiting to be sent$/, run: (a, t) => a.messages.countPendingForTenant(t!.id) },
  { words: /^clean up (\w+)'s old messages$/, run: (a, t) => a.messages.cleanup(t!.id) },
  { words: /^list the messages, naming no tenant$/, run: (a) => a.messages.list(undefined), own: (h) => [h.messageId] },
  { words: /^delete (\w+)'s message by its internal key, naming no tenant$/, run: (a, t) => a.messages.deleteByPk(t!.holdings.messagePk) },
  // storages
  { words: /^list (\w+)'s storages$/, run: (a, t) => a.storages.list(t!.id) },
  { words: /^read (\w+)'s storage$/, run: (a, t) => a.storages.get(t!.id, t!.holdings.storage) },
  { words: /^delete (\w+)'s storage$/, run: (a, t) => a.storages.delete(t!.id, t!.holdings.storage) },
  { words: /^list the storages, naming no tenant$/, run: (a) => a.storages.list(undefined), own: (h) => [h.storage] },
  // command log
  { words: /^list (\w+)'s commands in the command log$/, run: (a, t) => a.commandLog.list(t!.id) },
  { words: /^list the command log$/, run: (a) => a.commandLog.list() },
  { words: /^export the command log$/, run: (a) => a.commandLog.export() },
  // instance
  { words: /^suspend (\w+)'s sending through the instance$/, run: (a, t) => a.instance.suspend(t!.id, null) },
  { words: /^run now for (\w+)$/, run: (a, t) => a.instance.runNow(t!.id) },
  { words: /^read the proxy's settings$/, run: (a) => a.instance.get() },
  { words: /^read the sync status of every tenant$/, run: (a) => a.instance.syncStatus() },
];

/** One line of the feature's table, as made. */
interface MadeCall { line: string; expected: string; answer: RecordedAnswer; own?: string[] }

/** The ids (or names) an answer lists: strings as they are, objects by their id, else their name. */
function listedItems(body: unknown): string[] | undefined {
  if (!Array.isArray(body)) return undefined;
  return body.map((item) => (typeof item === 'string' ? item : String((item as { id?: unknown; name?: unknown })?.id ?? (item as { name?: unknown })?.name)));
}

export class TenantScope {
  private readonly holdings = new Map<string, Holdings>();
  /** What the operator saw of each tenant before the calls. */
  private readonly before = new Map<string, unknown>();
  private made: MadeCall[] = [];
  private caller = '';

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): TenantScope {
    return new TenantScope(world);
  }

  private get keys(): TenantKeys {
    return this.world.use(TenantKeys.forScenario);
  }

  /**
   * Each named tenant, with a key of its own, gets (from the operator) an SMTP account on
   * the sink with a message held in a suspended batch, a PEC account and a storage.
   */
  async tenantsWithDataOfTheirOwn(names: string[]): Promise<void> {
    const admin = this.world.proxy;
    for (const name of names) {
      const tenantId = await this.keys.createTenant(name);
      await this.keys.giveAccountAndHeldMessage(name, `${name}-held`);
      const message = this.world.message(`${name}-held`);
      const sink = this.world.session.endpoints.mailpit.smtpForProxy;
      const pecAccountId = `pec-${name}-${this.world.sid}`;
      await admin.accounts.addPec({ id: pecAccountId, tenant_id: tenantId, host: sink.host, port: sink.port, use_tls: false, imap_host: `imap.${name}.example.test` });
      const storage = `files-${name}-${this.world.sid}`;
      await admin.storages.add({ tenant_id: tenantId, name: storage, protocol: 'local', config: { base_path: join(tmpdir(), `storage-${name}-${this.world.sid}`) } });
      const listed = (await admin.messages.list(tenantId)).find((m) => m.id === message.id);
      if (!listed) throw new Error(`${name}'s message ${message.id} is not in its message list`);
      this.holdings.set(name, { accountIds: [message.account_id, pecAccountId].sort(), pecAccountId, storage, messageId: message.id, messagePk: listed.pk });
      this.before.set(name, await this.snapshot(name));
    }
  }

  /** What the operator sees of a tenant: its name, state and suspensions, accounts, messages and storages. */
  private async snapshot(name: string): Promise<unknown> {
    const admin = this.world.proxy;
    const id = this.keys.tenantId(name);
    const tenant = await admin.tenants.get(id);
    return {
      tenant: { name: tenant.name, active: tenant.active, suspended_batches: tenant.suspended_batches },
      accounts: (await admin.accounts.list(id)).map((a) => ({ id: a.id, host: a.host, port: a.port, is_pec_account: a.is_pec_account, imap_host: a.imap_host })).sort((a, b) => a.id.localeCompare(b.id)),
      messages: (await admin.messages.list(id)).map((m) => ({ id: m.id, status: m.status, batch_code: m.batch_code })),
      storages: (await admin.storages.list(id)).map((st) => ({ name: st.name, protocol: st.protocol, config: st.config })),
    };
  }

  /** The operator sees the tenant exactly as before the calls. */
  async assertAsItWas(name: string): Promise<void> {
    if (!this.before.has(name)) throw new Error(`tenant "${name}" has no data of its own in this scenario`);
    expect(await this.snapshot(name), `${name}'s tenant, accounts, messages and storages, as the operator sees them, against before the calls`).to.deep.equal(this.before.get(name));
  }

  private target(name: string): Target {
    const holdings = this.holdings.get(name);
    if (!holdings) throw new Error(`tenant "${name}" has no data of its own in this scenario`);
    return { name, id: this.keys.tenantId(name), holdings };
  }

  /** With its key, `caller` makes each call of the table, in order (each answer recorded). */
  async makeCalls(caller: string, lines: { call: string; answer: string }[]): Promise<void> {
    const answers = this.world.use(Answers.forScenario);
    answers.reset();
    this.made = [];
    this.caller = caller;
    const api = this.keys.as(caller);
    for (const { call, answer: expected } of lines) {
      const definition = CALLS.find((c) => c.words.test(call));
      if (!definition) throw new Error(`no call "${call}" is known: use one of ${CALLS.map((c) => c.words.source).join(', ')}`);
      const named = definition.words.exec(call)?.[1];
      const target = named === undefined ? undefined : this.target(named);
      const answer = await answers.record(api, (a) => definition.run(a, target));
      this.made.push({ line: call, expected, answer, own: definition.own?.(this.target(caller).holdings) });
    }
  }

  /** Every call got exactly the answer its line gives; the failure lists every call that did not. */
  assertAnsweredAsTheLinesSay(): void {
    const wrong = this.made.filter((m) => !this.answeredAsExpected(m)).map((m) => `${m.line}: ${this.describe(m)}`);
    expect(wrong, `calls with ${this.caller}'s key not answered as their line says`).to.deep.equal([]);
  }

  private answeredAsExpected({ expected, answer, own }: MadeCall): boolean {
    const json = answer.contentType.startsWith('application/json');
    const body = answer.body as Record<string, unknown> | null;
    const onlyDetail = json && body !== null && typeof body === 'object' && !Array.isArray(body)
      && Object.keys(body).join() === 'detail' && typeof body.detail === 'string' && body.detail !== '';
    if (expected === 'refused: not authorized for this tenant') {
      const { status, detail } = REFUSALS['another tenant'];
      return answer.status === status && onlyDetail && body.detail === detail;
    }
    if (expected === 'refused: for the operator only') return answer.status === REFUSALS['admin only'].status && onlyDetail;
    if (expected === `${this.caller}'s own only`) {
      if (!own) throw new Error(`"${expected}" is no answer for a call that does not list the caller's own items`);
      const listed = listedItems(body);
      return answer.status === 200 && json && listed !== undefined && JSON.stringify([...listed].sort()) === JSON.stringify([...own].sort());
    }
    throw new Error(`no answer "${expected}": use "refused: not authorized for this tenant", "refused: for the operator only" or "${this.caller}'s own only"`);
  }

  /** What the proxy answered, without secrets: the status, the error of a refusal, whose items a list held. */
  private describe({ answer, own }: MadeCall): string {
    const base = Answers.describe(answer);
    const body = answer.body as Record<string, unknown> | null;
    if (answer.status >= 400 && answer.status < 500) return `${base} ${JSON.stringify(body)}`;
    const listed = listedItems(body);
    if (own && listed) {
      const others = [...this.holdings.entries()].filter(([name]) => name !== this.caller)
        .filter(([, h]) => listed.some((item) => [h.messageId, h.storage, ...h.accountIds].includes(item))).map(([name]) => name);
      const missing = own.filter((item) => !listed.includes(item)).length;
      const extra = listed.filter((item) => !own.includes(item)).length;
      return `${base}, listing ${missing === 0 ? 'all' : `not all (${missing} missing)`} of ${this.caller}'s own, and ${extra === 0 ? 'nothing else' : `items that are not its own${others.length ? `, ${others.join(', ')}'s among them` : ''}`}`;
    }
    return base;
  }
}
