/**
 * The operator's command line as docs/cli_reference.rst of the release describes it:
 * named instances (`mail-proxy start|stop|status|list`), and within an instance its
 * tenants, accounts, messages, token, statistics and interactive session
 * (`mail-proxy <instance> …`, `mail-proxy <instance> <tenant> …`).
 *
 * Commands run on the scenario's operator's machine (support/capabilities/operator.ts),
 * from the release's sources, so that the wheel's own defect (wheel-cannot-run) hides no
 * promise of the command line. Instance, tenant and account names carry the scenario's id;
 * an instance listens on the machine's address and a free port, and is stopped (forced)
 * with the scenario.
 *
 * Reach it as `world.use(CommandLine.forScenario)`.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { expect } from 'chai';
import MailComposer from 'nodemailer/lib/mail-composer';
import { eventually } from '../base/eventually.js';
import { httpOk } from '../base/net.js';
import { ScenarioSecrets } from '../base/secrets.js';
import { ProxyApi } from '../clients/proxy-api.js';
import type { CommandResult } from '../stack/types.js';
import type { GenroWorld } from '../cucumber/world.js';
import { Operator } from './operator.js';

export interface Instance {
  /** The name the feature gives ("relay"). */
  alias: string;
  /** The name on the command line ("relay-<sid>"). */
  name: string;
  port: number;
  url: string;
}

/** A run of [A-Za-z0-9_-] long enough to be a token (the release's keys are 43 characters). */
const TOKEN_LIKE = /[A-Za-z0-9_-]{20,}/g;

export class CommandLine {
  private readonly instances = new Map<string, Instance>();
  /** The token the operator last read with `mail-proxy <instance> token`, by instance alias. */
  private readonly tokens = new Map<string, string>();
  /** The instance the operator started last: the one "the tenant's" commands go to. */
  private currentAlias: string | undefined;
  /** What the last message list showed. */
  listed: { id?: string; status?: string }[] = [];
  /** The token read before a new one was made. */
  previousToken: string | undefined;

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): CommandLine {
    return new CommandLine(world);
  }

  private get operator(): Operator {
    return this.world.use(Operator.forScenario);
  }

  /** `mail-proxy <args>` from the release's sources; returns what it gave. */
  run(args: string[], stdin?: string): Promise<CommandResult> {
    return this.operator.run('sources', args, stdin === undefined ? {} : { stdin });
  }

  /** The last command ended with `code`; the error names the command, its code and the last line it printed. */
  assertExit(code: number): void {
    const r = this.operator.result;
    if (r.code !== code) {
      const last = `${r.stdout}\n${r.stderr}`.trim().split('\n').at(-1)?.trim() || '(nothing)';
      throw new Error(`"${r.line}" ended with exit code ${r.code ?? 'none (killed)'} (expected ${code}); its last line: ${last}`);
    }
  }

  instance(alias: string): Instance {
    const found = this.instances.get(alias);
    if (!found) throw new Error(`the operator has started no instance "${alias}" in this scenario`);
    return found;
  }

  get current(): string {
    if (!this.currentAlias) throw new Error('the operator has started no instance in this scenario');
    return this.currentAlias;
  }

  tenantName(alias: string): string {
    return `${alias}-${this.world.sid}`;
  }

  /** `mail-proxy start <instance> --host <address> --port <free port> --background`. */
  async start(alias: string): Promise<Instance> {
    const machine = await this.operator.machine();
    const port = await machine.port();
    const instance = { alias, name: `${alias}-${this.world.sid}`, port, url: machine.url(port) };
    this.instances.set(alias, instance);
    this.currentAlias = alias;
    this.world.teardown.push(`mail-proxy stop ${instance.name} --force`, async () => {
      await machine.run({ install: 'sources', args: ['stop', instance.name, '--force'] }, 30_000);
    });
    await this.run(['start', instance.name, '--host', machine.bindHost, '--port', String(port), '--background']);
    return instance;
  }

  /** Starts the instance and checks that the command succeeded and the instance answers. */
  async startRunning(alias: string): Promise<Instance> {
    const instance = await this.start(alias);
    this.assertExit(0);
    await this.answering(alias);
    return instance;
  }

  async answering(alias: string): Promise<void> {
    const instance = this.instance(alias);
    await eventually(
      { description: `the instance "${instance.name}" to answer its health check at ${instance.url}`, timeoutMs: this.world.session.config.serviceStartTimeoutMs, intervalMs: 100 },
      () => httpOk(`${instance.url}/health`),
    );
  }

  async notAnswering(alias: string): Promise<void> {
    const instance = this.instance(alias);
    await eventually(
      { description: `the instance "${instance.name}" to stop answering at ${instance.url}`, timeoutMs: this.world.session.config.serviceStartTimeoutMs, intervalMs: 100 },
      async () => !(await httpOk(`${instance.url}/health`)),
    );
  }

  /** The line of `mail-proxy list` that names the instance. */
  async listedLine(alias: string): Promise<string> {
    const instance = this.instance(alias);
    await this.run(['list']);
    this.assertExit(0);
    return this.operator.result.stdout.split('\n').find((line) => line.includes(instance.name)) ?? '';
  }

  /** `mail-proxy list` names the instance, in the given state, with its port. */
  async assertListed(alias: string, state: 'running' | 'stopped'): Promise<void> {
    const instance = this.instance(alias);
    const line = await this.listedLine(alias);
    // cli_reference.rst: the list shows name, status, host, port and PID; the port is checked where the instance listens on it.
    const seen = { named: line !== '', state: /\brunning\b/i.test(line) ? 'running' : /\bstopped\b/i.test(line) ? 'stopped' : '(none)', ...(state === 'running' ? { port: line.includes(String(instance.port)) } : {}) };
    expect(seen, `the line of "mail-proxy list" for ${instance.name}: ${line || '(none)'}`).to.deep.equal({ named: true, state, ...(state === 'running' ? { port: true } : {}) });
  }

  // ------------------------------------------------------------------ tenants and accounts

  /** `mail-proxy <instance> tenants add --id <tenant> --name <name>`; the tenant becomes the scenario's tenant. */
  async addTenant(instanceAlias: string, tenantAlias: string): Promise<void> {
    const tenant = this.tenantName(tenantAlias);
    await this.run([this.instance(instanceAlias).name, 'tenants', 'add', '--id', tenant, '--name', `Tenant ${tenantAlias} of ${this.world.sid}`]);
    this.assertExit(0);
    this.world.tenantId = tenant;
  }

  /** `mail-proxy <instance> <tenant> accounts add --id … --host … --port …` on the mail sink, without TLS. */
  async addSinkAccount(instanceAlias: string, tenantAlias: string): Promise<void> {
    const sink = this.world.session.endpoints.mailpit.smtpForProxy;
    const account = `smtp-${this.world.sid}`;
    await this.run([this.instance(instanceAlias).name, this.tenantName(tenantAlias), 'accounts', 'add', '--id', account, '--host', sink.host, '--port', String(sink.port)]);
    this.assertExit(0);
    this.world.accountId = account;
  }

  /** `… tenants list --json` shows the tenant, and `… accounts list --json` the account with its host and port. */
  async assertTenantAndAccountListed(instanceAlias: string, tenantAlias: string): Promise<void> {
    const instance = this.instance(instanceAlias);
    const tenant = this.tenantName(tenantAlias);
    await this.run([instance.name, 'tenants', 'list', '--json']);
    this.assertExit(0);
    const tenants = jsonOf(this.operator.result.stdout, `${instance.name} tenants list --json`) as { id?: string }[];
    expect(tenants.map((t) => t.id), 'tenant ids listed').to.include(tenant);
    await this.run([instance.name, tenant, 'accounts', 'list', '--json']);
    this.assertExit(0);
    const accounts = jsonOf(this.operator.result.stdout, `${instance.name} ${tenant} accounts list --json`) as { id?: string; host?: string; port?: number }[];
    const sink = this.world.session.endpoints.mailpit.smtpForProxy;
    expect(accounts.map((a) => ({ id: a.id, host: a.host, port: Number(a.port) })), 'accounts listed').to.deep.include({ id: this.world.accountId, host: sink.host, port: sink.port });
  }

  // ------------------------------------------------------------------ token and statistics

  /** `mail-proxy <instance> token` (or `--regenerate`): the token it prints. */
  async readToken(alias: string, regenerate = false): Promise<string> {
    await this.run([this.instance(alias).name, 'token', ...(regenerate ? ['--regenerate'] : [])]);
    this.assertExit(0);
    const found = this.operator.result.stdout.match(TOKEN_LIKE) ?? [];
    if (found.length !== 1) throw new Error(`"${this.operator.result.line}" printed ${found.length} token-like values (expected exactly one)`);
    const token = found[0];
    this.world.use(ScenarioSecrets.forScenario).register(`token of instance ${alias}${regenerate ? ' (regenerated)' : ''}`, token);
    this.tokens.set(alias, token);
    return token;
  }

  /** `mail-proxy restart <instance>`, which must succeed, and the instance answers again. */
  async restart(alias: string): Promise<void> {
    await this.run(['restart', this.instance(alias).name]);
    this.assertExit(0);
    await this.answering(alias);
  }

  /** The instance's API answers the tenant list with `token` as `expected` (200 or 401). */
  async tenantListStatus(alias: string, token: string): Promise<number> {
    const api = new ProxyApi({ baseUrl: this.instance(alias).url, token });
    return (await api.attempt((a) => a.tenants.list())).status;
  }

  /** The application talks to the instance with the token the operator read (none if none was read). */
  talkToInstance(alias: string): void {
    const token = this.tokens.get(alias) ?? null;
    this.world.talkTo(new ProxyApi({ baseUrl: this.instance(alias).url, token: token ?? '' }, token));
  }

  /** `mail-proxy <instance> stats --json` counts `tenants` tenants and `accounts` accounts. */
  async assertStats(alias: string, counts: { tenants: number; accounts: number }): Promise<void> {
    await this.run([this.instance(alias).name, 'stats', '--json']);
    this.assertExit(0);
    const stats = jsonOf(this.operator.result.stdout, 'stats --json');
    expect({ tenants: countOf(stats, 'tenants'), accounts: countOf(stats, 'accounts') }, `counts in ${JSON.stringify(stats)}`).to.deep.equal(counts);
  }

  // ------------------------------------------------------------------ messages

  /** `mail-proxy <instance> <tenant> messages list --status <status> --json`: the ids listed with that status. */
  async listMessages(instanceAlias: string, tenantAlias: string, status: string): Promise<{ id?: string; status?: string }[]> {
    await this.run([this.instance(instanceAlias).name, this.tenantName(tenantAlias), 'messages', 'list', '--status', status, '--json']);
    this.assertExit(0);
    return jsonOf(this.operator.result.stdout, 'messages list --json') as { id?: string; status?: string }[];
  }

  /** `… messages list --csv`: its rows, read by the header row. */
  async messagesCsv(instanceAlias: string, tenantAlias: string): Promise<Record<string, string>[]> {
    await this.run([this.instance(instanceAlias).name, this.tenantName(tenantAlias), 'messages', 'list', '--csv']);
    this.assertExit(0);
    return parseCsv<Record<string, string>>(this.operator.result.stdout, { columns: true, skip_empty_lines: true });
  }

  /** Writes an .eml in the operator's home, composed like an application's message of the scenario, and records it as the message `alias`. */
  async writeEml(alias: string, file: string): Promise<string> {
    const message = this.world.draft(alias);
    const raw = await new MailComposer({ from: message.from, to: message.to, subject: message.subject, text: message.body }).compile().build();
    const path = `${await this.operator.home()}/${file}`;
    await (await this.operator.machine()).writeFile(path, raw.toString('utf8'));
    this.world.messages.set(alias, message);
    return path;
  }

  /** The interactive session (`mail-proxy <instance> connect`) fed `lines`, then closed. */
  async session(alias: string, lines: string[]): Promise<CommandResult> {
    return this.run([this.instance(alias).name, 'connect'], `${lines.join('\n')}\n`);
  }
}

function jsonOf(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} printed no JSON: ${text.trim().slice(0, 300) || '(nothing)'}`);
  }
}

/** A count under `key` anywhere in `value`: a number, or the length of a list. */
export function countOf(value: unknown, key: string): number | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === key) return typeof v === 'number' ? v : Array.isArray(v) ? v.length : undefined;
  }
  for (const v of Object.values(value as Record<string, unknown>)) {
    const found = countOf(v, key);
    if (found !== undefined) return found;
  }
  return undefined;
}
