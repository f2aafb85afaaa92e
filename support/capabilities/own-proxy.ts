/**
 * A proxy of the scenario's own: started for one scenario, on a database of its own
 * (a SQLite file, or a fresh PostgreSQL database), and stopped with it.
 *
 * Persistence and @db scenarios restart their proxy. They do it on a proxy of their own
 * rather than on the worker's main proxy: a restart then cannot touch what another
 * scenario left queued (its scheduled messages, its retries, its unreported events), a
 * proxy that fails to come back fails only its own scenario, and PostgreSQL needs a
 * proxy started on it anyway. It costs about a second per scenario.
 *
 * Once started, `world.proxy` is this proxy (as `world.useTestModeProxy()` does for the
 * test-mode proxy), so every step that talks to "the proxy" talks to it, and the
 * report's evidence shows its API calls.
 *
 * A scenario asks for one with the tag @own-proxy (or @own-proxy-on-postgresql): the
 * tagged hooks in support/cucumber/tagged-hooks.ts start it before the first step.
 *
 * Reach it as `world.use(OwnProxy.forScenario)`.
 */
import { expect } from 'chai';
import { ProxyApi } from '../clients/proxy-api.js';
import { ScenarioSecrets } from '../base/secrets.js';
import type { ProxyInstance, ProxyOptions } from '../stack/types.js';
import type { GenroWorld } from '../cucumber/world.js';

export interface RestartTimes {
  /** When the stop was asked for. */
  began: number;
  /** When the old process had exited. */
  stopped: number;
  /** When the new process answered its health check. */
  ready: number;
}

/**
 * The last exception line of a Python log, if any: a dotted class name
 * ("psycopg.errors.NumericValueOutOfRange: integer out of range") or a builtin one
 * ("ValueError: Tenant 'x' not found"). Log lines ("INFO: ...") are not exceptions.
 */
export function lastException(log: string): string | undefined {
  const exception = /^(?:(?:[A-Za-z_]\w*\.)+[A-Z]\w*|[A-Z]\w*(?:Error|Exception|Warning|Exit|Interrupt)):\s/;
  return log.split('\n').map((l) => l.trim()).filter((l) => exception.test(l)).at(-1);
}

/** The proxy a scenario talks to: its own proxy if it started one, else the worker's main proxy. */
export function currentProxyInstance(world: GenroWorld): ProxyInstance {
  return owners.get(world)?.instance ?? world.session.provider.mainProxy;
}

const owners = new WeakMap<GenroWorld, OwnProxy>();

export class OwnProxy {
  private started: ProxyInstance | undefined;
  private client: ProxyApi | undefined;
  /** The controlled clock every proxy of this scenario runs on (support/capabilities/controlled-clock.ts), if the scenario has one. */
  private clock: { environment: Record<string, string>; sendLoopInterval?: number; started: (instance: ProxyInstance) => Promise<void> } | undefined;
  /** The database URL or path the proxy runs on. */
  database: string | undefined;
  /** Timings of the last restart. */
  lastRestart: RestartTimes | undefined;
  /** When the last start was asked for (ms since the epoch). */
  startedAt: number | undefined;
  /** Why the last start failed, if it did (for scenarios that expect a start to work). */
  startError: Error | undefined;

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): OwnProxy {
    const own = new OwnProxy(world);
    owners.set(world, own);
    return own;
  }

  get instance(): ProxyInstance | undefined {
    return this.started;
  }

  get api(): ProxyApi {
    if (!this.client) throw new Error('this scenario has not started a proxy of its own');
    return this.client;
  }

  /** Starts the proxy and routes `world.proxy` to it. Throws if it does not become ready. */
  async start(options: Omit<ProxyOptions, 'label'> & { label: string }): Promise<ProxyInstance> {
    if (this.started) throw new Error('this scenario already runs a proxy of its own');
    this.startedAt = Date.now();
    const environment = this.clock ? { ...(options.environment ?? {}), ...this.clock.environment } : options.environment;
    const sendLoopInterval = options.sendLoopInterval ?? this.clock?.sendLoopInterval;
    const instance = await this.world.session.provider.startProxy({ ...options, environment, sendLoopInterval, database: options.database ?? this.database });
    this.world.teardown.push(`stop the proxy of scenario ${this.world.sid}`, () => instance.stop());
    this.world.use(ScenarioSecrets.forScenario).register('token of the scenario\'s own proxy', instance.endpoint.token);
    this.started = instance;
    this.database = instance.options.database;
    this.client = new ProxyApi(instance.endpoint);
    this.world.talkTo(this.client, instance.options.retryDelays);
    if (this.clock) await this.clock.started(instance);
    return instance;
  }

  /**
   * Every proxy this scenario starts from now on runs with `environment` (a controlled
   * clock's) and, if given, `sendLoopInterval` (seconds of that clock), and `started` is
   * called once it answers.
   */
  runOnClock(environment: Record<string, string>, started: (instance: ProxyInstance) => Promise<void>, sendLoopInterval?: number): void {
    if (this.started) throw new Error('a controlled clock must be set before the scenario starts its own proxy');
    this.clock = { environment, sendLoopInterval, started };
  }

  /** As start(), but keeps the error instead of throwing it (the scenario asserts on it). */
  async tryStart(options: Omit<ProxyOptions, 'label'> & { label: string }): Promise<void> {
    try {
      await this.start(options);
      this.startError = undefined;
    } catch (error) {
      this.startError = error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Stops the proxy, waits for its process to end, and starts it again on the same database and port. */
  async restart(): Promise<RestartTimes> {
    const instance = this.started;
    if (!instance) throw new Error('this scenario has not started a proxy of its own');
    const began = Date.now();
    await instance.stop();
    const stopped = Date.now();
    await instance.restart();
    if (this.clock) await this.clock.started(instance);
    this.lastRestart = { began, stopped, ready: Date.now() };
    return this.lastRestart;
  }

  /**
   * The proxy started (tryStart kept no error) and its health check answers 200 JSON with
   * the body the worker's main proxy on SQLite gives: the same service, up on another database.
   */
  async assertReadyAsOnSqlite(): Promise<void> {
    if (this.startError) throw new Error(`the proxy did not start on the empty database: ${this.startError.message}`);
    const onSqlite = await new ProxyApi(this.world.session.provider.mainProxy.endpoint).health();
    const answer = await this.api.attempt((a) => a.health());
    expect({ status: answer.status, json: answer.contentType.startsWith('application/json'), body: answer.body }, 'the health check, against the main proxy on SQLite')
      .to.deep.equal({ status: 200, json: true, body: onSqlite });
  }

  // ------------------------------------------------------------------ PostgreSQL

  /** A fresh, empty PostgreSQL database (PostgreSQL starts on the first call of the run). */
  async freshPostgresDatabase(): Promise<string> {
    this.database = await this.world.session.provider.postgresDatabase();
    return this.database;
  }

  /** The tables in the public schema of the scenario's PostgreSQL database. */
  async postgresTables(): Promise<string[]> {
    const url = this.requirePostgres();
    const stdout = await this.world.session.provider.postgresQuery(url, "select table_name from information_schema.tables where table_schema = 'public' order by 1");
    return stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  }

  /**
   * WORKAROUND for the known defect "pg-start-on-empty-database" (docs/sut-0.7.0.md#pg-start-on-empty-database): creates
   * the proxy's tables in foreign-key order through the SUT's own table definitions
   * (stack/create_pg_schema.py), so that 0.7.0 can start. Only scenarios tagged
   * @own-proxy-on-postgresql use it (support/cucumber/tagged-hooks.ts).
   */
  async createTablesInDependencyOrder(): Promise<string[]> {
    const url = this.requirePostgres();
    const stdout = await this.world.session.provider.runWithSutPython('stack/create_pg_schema.py', [url]);
    const created = stdout.match(/created in order: (.*)/)?.[1];
    if (!created) throw new Error(`stack/create_pg_schema.py did not report the tables it created: ${stdout}`);
    return created.split(', ');
  }

  private requirePostgres(): string {
    if (!this.database?.startsWith('postgres')) throw new Error('this scenario has no PostgreSQL database: start with "an empty PostgreSQL database"');
    return this.database;
  }
}
