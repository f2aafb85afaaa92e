/**
 * The operator: the person who installs genro-mail-proxy and runs it with its own
 * `mail-proxy` command and the documented settings (docs/installation.rst, usage.rst and
 * cli_reference.rst of the release), on a machine of the scenario's own
 * (StackProvider.operatorMachine: this machine, or a container of the SUT image).
 *
 * It runs commands and keeps what each printed and its exit code; it starts
 * `mail-proxy serve` with GMP_* settings and, once that proxy answers, routes the
 * scenario's "proxy" to it (world.talkTo), so that the application's steps talk to the
 * proxy the operator started. Everything started stops with the scenario; what each
 * command printed is evidence when the scenario fails.
 *
 * Reach it as `world.use(Operator.forScenario)`.
 */
import { expect } from 'chai';
import { eventually, GiveUp } from '../base/eventually.js';
import { httpOk } from '../base/net.js';
import { ScenarioSecrets } from '../base/secrets.js';
import { ProxyApi } from '../clients/proxy-api.js';
import type { CommandResult, OperatorCommand, OperatorInstall, OperatorMachine, RunningCommand } from '../stack/types.js';
import type { GenroWorld } from '../cucumber/world.js';

/** What a scenario puts in the GMP settings besides address, port and database (docs/usage.rst, Environment Variables). */
export type GmpExtras = 'token' | 'token and scheduler active' | 'token and test mode' | 'token and delivery-activity logging' | 'token and JSON logs' | 'token and a PEC acceptance timeout' | 'token and a disk cache';

/** The PEC acceptance timeout a scenario gives in GMP_PEC_ACCEPTANCE_TIMEOUT (docs/pec.rst, Timeout Detection): short, so that one PEC poll sees it passed. */
export const PEC_ACCEPTANCE_TIMEOUT_S = 5;

/** How long one command may run: starting Python and importing the release takes a few seconds on a loaded machine. */
const COMMAND_TIMEOUT_MS = 60_000;

export interface Served {
  command: RunningCommand;
  /** The settings it was started with (GMP_* and the like). */
  settings: Record<string, string>;
  /** The port it was told to listen on. */
  port: number;
  /** Where the suite reaches that port. */
  url: string;
}

export class Operator {
  private machinePromise: Promise<OperatorMachine> | undefined;
  private readonly transcript: string[] = [];
  /** The last command run to its end. */
  last: (CommandResult & { line: string }) | undefined;
  /** The last `mail-proxy serve` started. */
  served: Served | undefined;

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): Operator {
    const operator = new Operator(world);
    world.evidence.add('operator', {
      title: "The operator's commands and what they printed",
      collect: async () => {
        const serving = operator.served ? `\n--- mail-proxy serve (${operator.served.url}) printed ---\n${await operator.served.command.output()}` : '';
        return (operator.transcript.join('\n') || '(no command run)') + serving;
      },
    });
    return operator;
  }

  machine(): Promise<OperatorMachine> {
    this.machinePromise ??= (async () => {
      const machine = await this.world.session.provider.operatorMachine(this.world.sid);
      this.world.teardown.push(`stop the operator's machine of scenario ${this.world.sid}`, () => machine.stop());
      return machine;
    })();
    return this.machinePromise;
  }

  /** The operator's home folder on the machine. */
  async home(): Promise<string> {
    return (await this.machine()).home;
  }

  /** Runs `mail-proxy <args>` to its end and keeps the result. */
  async run(install: OperatorInstall, args: string[], extra: Omit<OperatorCommand, 'install' | 'args'> = {}): Promise<CommandResult> {
    const machine = await this.machine();
    const line = `mail-proxy ${args.join(' ')}`;
    const result = await machine.run({ install, args, ...extra }, COMMAND_TIMEOUT_MS);
    this.last = { ...result, line };
    this.transcript.push(`$ ${line}${extra.stdin ? ` <<< ${JSON.stringify(extra.stdin)}` : ''}\n(exit ${result.code ?? `killed after ${COMMAND_TIMEOUT_MS} ms`})\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
    return result;
  }

  /** The last command's result; fails when no command ran. */
  get result(): CommandResult & { line: string } {
    if (!this.last) throw new Error('the operator has run no command in this scenario');
    return this.last;
  }

  /** The last command in one line: its exit code, whether it printed its usage, and the last line of its standard error. */
  summary(): string {
    const { code, stdout, stderr } = this.result;
    const lastError = stderr.trim().split('\n').at(-1)?.trim() || '(empty)';
    return `exit ${code ?? 'none (killed)'}; ${stdout.includes('Usage: mail-proxy') ? 'usage printed' : 'no usage'}; standard error: ${lastError}`;
  }

  /** The last command's summary() is `expected`; the error says the whole of both. */
  assertSummary(expected: string): void {
    const seen = this.summary();
    if (seen !== expected) throw new Error(`"${this.result.line}" gave: ${seen} (expected: ${expected})`);
  }

  /** The last command exited with `code`, said with what it printed when it did not. */
  assertExitCode(code: number): void {
    const r = this.result;
    expect(r.code, `exit code of "${r.line}"; it printed:\n${tail(r.stdout + r.stderr)}`).to.equal(code);
  }

  /** A free port on the operator's machine. */
  async port(): Promise<number> {
    return (await this.machine()).port();
  }

  /**
   * Starts `mail-proxy <args>` (serve) with `settings` in its environment and the port
   * it was told to listen on; does not wait for it (answering() does).
   */
  async serve(settings: Record<string, string>, port: number, options: { args?: string[]; dataFolder?: OperatorCommand['dataFolder'] } = {}): Promise<Served> {
    const machine = await this.machine();
    const args = ['serve', ...(options.args ?? [])];
    const command = await machine.start({ install: 'sources', args, env: settings, dataFolder: options.dataFolder }, 'serve');
    this.transcript.push(`$ ${Object.entries(settings).map(([k, v]) => `${k}=${isSecretSetting(k) ? '<secret>' : v}`).join(' ')} mail-proxy ${args.join(' ')} &`);
    this.served = { command, settings, port, url: machine.url(port) };
    return this.served;
  }

  /** The served proxy, which must have been started. */
  get serving(): Served {
    if (!this.served) throw new Error('the operator has started no proxy in this scenario');
    return this.served;
  }

  /**
   * Waits until the served proxy answers its health check where it was told to listen;
   * gives up at once when it exits. `where` says in words where that is.
   */
  async answering(where: string): Promise<void> {
    const served = this.serving;
    await eventually(
      { description: `the proxy to answer at ${where} (${served.url})`, timeoutMs: this.world.session.config.serviceStartTimeoutMs, intervalMs: 100 },
      async () => {
        const exit = await served.command.exitNote();
        if (exit !== undefined) {
          throw new GiveUp(`the proxy did not answer at ${where} (${served.url}): it ${exit}. The errors it printed: ${exceptionLines(await served.command.output()).join(' | ') || '(none)'}`);
        }
        return httpOk(`${served.url}/health`);
      },
    );
  }

  /**
   * From now on "the proxy" of the scenario is the one the operator started, called with
   * `token` (null: no X-API-Token header).
   */
  talkToServed(token: string | null): ProxyApi {
    const served = this.serving;
    const api = new ProxyApi({ baseUrl: served.url, token: token ?? '' }, token);
    this.world.talkTo(api);
    return api;
  }

  /**
   * Starts `mail-proxy serve` configured by GMP settings only: GMP_HOST and GMP_PORT (an
   * address and a free port of the operator's machine), GMP_DB_PATH (a file in the
   * operator's home) and GMP_API_TOKEN, plus GMP_SCHEDULER_ACTIVE or GMP_TEST_MODE. The
   * default data folder is read-only, so the database can only be where GMP_DB_PATH says.
   */
  async serveWithGmpSettings(extras: GmpExtras): Promise<Served> {
    const machine = await this.machine();
    const port = await machine.port();
    const settings: Record<string, string> = {
      GMP_HOST: machine.bindHost,
      GMP_PORT: String(port),
      GMP_DB_PATH: `${machine.home}/mail-proxy-data.db`,
      GMP_API_TOKEN: this.secret('GMP_API_TOKEN of the proxy the operator started'),
    };
    if (extras === 'token and scheduler active') settings.GMP_SCHEDULER_ACTIVE = 'true';
    if (extras === 'token and test mode') settings.GMP_TEST_MODE = 'true';
    if (extras === 'token and delivery-activity logging') settings.GMP_LOG_DELIVERY_ACTIVITY = 'true';
    if (extras === 'token and a PEC acceptance timeout') settings.GMP_PEC_ACCEPTANCE_TIMEOUT = String(PEC_ACCEPTANCE_TIMEOUT_S);
    if (extras === 'token and a disk cache') Object.assign(settings, { GMP_CACHE_DISK_DIR: `${machine.home}/attachment-cache`, GMP_CACHE_MEMORY_MAX_MB: '50', GMP_CACHE_DISK_MAX_MB: '500' });
    if (extras === 'token and JSON logs') Object.assign(settings, { LOG_FORMAT: 'json', LOG_LEVEL: 'INFO', GMP_LOG_LEVEL: 'INFO' });
    return this.serve(settings, port, { dataFolder: 'read-only' });
  }

  /**
   * Runs the service as the release's Docker image does (OperatorMachine.startImage), with
   * a token in GMP_API_TOKEN and the database in the image's data volume (GMP_DB_PATH
   * /data/mail_service.db, as docs/installation.rst's example gives it).
   */
  async serveAsImage(): Promise<Served> {
    const machine = await this.machine();
    const settings = {
      GMP_API_TOKEN: this.secret("GMP_API_TOKEN of the release's image"),
      GMP_DB_PATH: '/data/mail_service.db',
    };
    const { url, command } = await machine.startImage(settings);
    this.transcript.push(`$ docker run -e GMP_API_TOKEN=<secret> -e GMP_DB_PATH=${settings.GMP_DB_PATH} -v <its own>:/data <the release's image>  (${url})`);
    this.served = { command, settings, port: Number(new URL(url).port), url };
    return this.served;
  }

  /** Starts `mail-proxy serve` with nothing configured: only the address and port it is told with its own options. */
  async serveWithDefaults(): Promise<Served> {
    const machine = await this.machine();
    const port = await machine.port();
    return this.serve({}, port, { args: ['--host', machine.bindHost, '--port', String(port)], dataFolder: 'own' });
  }

  /** The served proxy's database file, as GMP_DB_PATH names it, exists on the operator's machine. */
  async assertDatabaseWhereSettingsSay(): Promise<void> {
    const path = this.serving.settings.GMP_DB_PATH;
    if (!path) throw new Error('the proxy was not started with GMP_DB_PATH');
    expect(await this.fileExists(path), `a database file at GMP_DB_PATH (${path}) once the proxy answers`).to.equal(true);
  }

  /**
   * Calls without a token and with a wrong one are refused with 401, as api_reference.rst
   * says for a proxy with GMP_API_TOKEN configured; the configured token is answered.
   */
  async assertTokenRequired(): Promise<void> {
    const token = this.serving.settings.GMP_API_TOKEN;
    if (!token) throw new Error('the proxy was not started with GMP_API_TOKEN');
    const api = new ProxyApi({ baseUrl: this.serving.url, token });
    const seen = {
      withoutToken: (await api.as(null).attempt((a) => a.tenants.list())).status,
      withWrongToken: (await api.as(`${token}-wrong`).attempt((a) => a.tenants.list())).status,
      withToken: (await api.attempt((a) => a.tenants.list())).status,
    };
    const said = `without a token ${seen.withoutToken}, with a wrong token ${seen.withWrongToken}, with the configured token ${seen.withToken}`;
    const expected = 'without a token 401, with a wrong token 401, with the configured token 200';
    if (said !== expected) throw new Error(`the tenant list of the proxy started with GMP_API_TOKEN answered ${said} (expected: ${expected})`);
  }

  /** The tools "Debugging and Troubleshooting" of docs/architecture_overview.rst runs as `python3 <tool>`, that findDiagnosticTools() did not find. */
  diagnosticToolsMissing: string[] = [];

  /** Looks for diagnose.py, check_loop.py and test_dispatch.py at the top of the release's source package, where `python3 <tool>` would run them. */
  async findDiagnosticTools(): Promise<void> {
    const machine = await this.machine();
    const tools = ['diagnose.py', 'check_loop.py', 'test_dispatch.py'];
    const present = await Promise.all(tools.map((tool) => machine.fileExists(`${machine.releaseFolder}/${tool}`)));
    this.diagnosticToolsMissing = tools.filter((_, i) => !present[i]);
  }

  /**
   * Waits until the served proxy's console log has a line that `matches` (what it printed
   * since it started); the error shows its last lines.
   */
  async logLine(description: string, matches: (line: string) => boolean): Promise<string> {
    const served = this.serving;
    const output = await eventually(
      { description: `a line of the proxy's console log that ${description}`, timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 200 },
      () => served.command.output(),
      (text) => text.split('\n').some(matches),
    ).catch(async (error: Error) => {
      throw new Error(`${error.message.split('\n')[0]}\n--- the proxy's last log lines ---\n${tail(await served.command.output(), 15)}`);
    });
    return output.split('\n').find(matches)!;
  }

  /** A new secret for a GMP_* setting, registered for redaction. */
  secret(purpose: string): string {
    return this.world.use(ScenarioSecrets.forScenario).make(purpose);
  }

  /** Whether a file exists on the operator's machine. */
  async fileExists(path: string): Promise<boolean> {
    return (await this.machine()).fileExists(path);
  }
}

/** The distinct exception lines of a Python output ("sqlite3.OperationalError: unable to open database file"), in order. */
export function exceptionLines(output: string): string[] {
  const exception = /^(?:(?:[A-Za-z_]\w*\.)+[A-Z]\w*|[A-Z]\w*(?:Error|Exception|Exit|Interrupt)):\s/;
  return [...new Set(output.split('\n').map((l) => l.trim()).filter((l) => exception.test(l)))];
}

function isSecretSetting(name: string): boolean {
  return /TOKEN|PASSWORD|SECRET|KEY/i.test(name);
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n') || '(nothing)';
}
