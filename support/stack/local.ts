/**
 * Over 300 lines on purpose: each local service's start sits next to its settings, in one provider.
 *
 * The `local` provider: the whole stack as native child processes of the test process,
 * each on a free 127.0.0.1 port, with its data in a temp dir and its log under
 * reports/logs/. Installed by scripts/install.sh (see .stack/installed.json).
 *
 *   Mailpit   SMTP sink + REST API (chaos enabled, any SMTP auth, no message limit)
 *   Dovecot   IMAP server for bounce and PEC mailboxes (any user, one run password)
 *   MinIO     S3 object store
 *   proxy     genro-mail-proxy through stack/launcher.py, SQLite in the temp dir, forked
 *             by the fork server (stack/forkserver.py, support/stack/fork-server.ts)
 *   PostgreSQL  started on first use only (@db scenarios)
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPORTS_DIR, ROOT, type InstalledStack, type SuiteConfig } from '../base/config.js';
import { eventually, GiveUp } from '../base/eventually.js';
import { TeardownStack } from '../base/teardown.js';
import { freePort, httpOk, tcpGreeting } from '../base/net.js';
import { randomSecret } from '../base/secrets.js';
import { LocalProxy, type LocalProxyHost } from './local-proxy.js';
import { LocalOperatorMachine } from './operator-local.js';
import { ForkServer } from './fork-server.js';
import { ManagedProcess, ownTempDir, type SpawnSpec, type StackProcess } from './process.js';
import { STACK_DIR_PREFIX, sweepDeadStacks, sweepLine, writeOwner } from './run-record.js';
import { createBucket, dovecotConfig, MAILPIT_ENV, MAILPIT_FLAGS, MINIO_ENV, RUN_BUCKET, StackStartError } from './services.js';
import type {
  SinkInstance,
  SinkOptions,
  Endpoints,
  OperatorMachine,
  ProxyInstance,
  ProxyOptions,
  RunningProxyOptions,
  ServiceTiming,
  StackProvider,
  WrittenDir,
} from './types.js';
import { instanceSettingArgs } from './types.js';

const run = promisify(execFile);

function requireFile(path: string, what: string): void {
  if (!existsSync(path)) {
    throw new StackStartError(`${what} is missing at ${path}. Run \`npm run setup\` to install the local stack.`);
  }
}

async function userIds(name: string): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number((await run('id', ['-u', name])).stdout.trim());
  const gid = Number((await run('id', ['-g', name])).stdout.trim());
  return { uid, gid };
}

export class LocalProvider implements StackProvider, LocalProxyHost {
  readonly name = 'local' as const;
  readonly timings: ServiceTiming[] = [];
  private readonly teardown = new TeardownStack();
  private readonly processes: StackProcess[] = [];
  private runDir = '';
  private logDir = '';
  private endpoints: Endpoints | undefined;
  private main: LocalProxy | undefined;
  private postgres: Promise<{ port: number; bin: string }> | undefined;
  private forkServer: Promise<ForkServer> | undefined;
  /** MinIO's endpoint and keys, chosen before anything starts. */
  private s3: Endpoints['s3'] | undefined;
  private proxyCount = 0;
  private databaseCount = 0;

  constructor(
    private readonly installed: InstalledStack,
    private readonly config: SuiteConfig,
    private readonly label: string,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  get mainProxy(): ProxyInstance {
    if (!this.main) throw new Error('the local stack has not been started');
    return this.main;
  }

  async start(): Promise<Endpoints> {
    const i = this.installed;
    requireFile(i.sut.python, 'The SUT venv');
    requireFile(join(i.sut.src, 'core', 'mail_proxy', 'proxy.py'), 'The SUT source');
    requireFile(this.launcher, 'The launcher');
    requireFile(i.mailpit, 'Mailpit');
    requireFile(i.minio, 'MinIO');
    requireFile(i.dovecot, 'Dovecot (Debian package dovecot-imapd)');

    // What killed runs left is stopped first (said in one line, by one worker of a run).
    if ((process.env.CUCUMBER_WORKER_ID ?? '0') === '0') {
      const line = sweepLine(await sweepDeadStacks());
      if (line) this.log(`[stack] local: ${line}`);
    }
    this.runDir = mkdtempSync(join(tmpdir(), STACK_DIR_PREFIX));
    chmodSync(this.runDir, 0o755);
    // Tagged with its owner before any service starts (support/stack/run-record.ts).
    writeOwner(this.runDir, { label: this.label });
    this.teardown.push('remove temp dir', ownTempDir(this.runDir));
    this.logDir = join(REPORTS_DIR, 'logs', this.label);
    rmSync(this.logDir, { recursive: true, force: true });
    mkdirSync(this.logDir, { recursive: true });

    const started = Date.now();
    const proxyToken = randomSecret();
    // MinIO's address and keys are chosen first: the proxy gets them in its environment.
    this.s3 = await this.minioSettings();
    if (this.config.proxyStart === 'fork') this.forkServer = this.timed('fork server', () => this.startForkServer());
    const [mailpit, imap, s3, main] = await Promise.all([
      this.timed('mailpit', () => this.startMailpit({ label: 'main' })),
      this.timed('dovecot', () => this.startDovecot()),
      this.timed('minio', () => this.startMinio(this.s3!)),
      this.timed('proxy', () => this.launchProxy({ label: 'main' }, proxyToken)),
    ]);
    this.main = main;
    this.endpoints = { proxy: main.endpoint, mailpit, imap, s3, partners: { listenHost: '127.0.0.1', hostForProxy: '127.0.0.1' } };
    this.log(`[stack] local stack ready in ${Date.now() - started} ms (cold start, install excluded); logs in ${this.logDir}`);
    return this.endpoints;
  }

  async startProxy(options: ProxyOptions): Promise<ProxyInstance> {
    const label = options.label ?? 'extra';
    const started = Date.now();
    const instance = await this.launchProxy({ ...options, label }, randomSecret());
    this.log(`[stack] proxy "${label}" ready in ${Date.now() - started} ms`);
    return instance;
  }

  async postgresDatabase(): Promise<string> {
    this.postgres ??= this.timed('postgresql', () => this.startPostgres());
    const { port, bin } = await this.postgres;
    this.databaseCount += 1;
    const name = `gmp_${process.pid}_${this.databaseCount}`;
    await run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name]);
    return `postgresql://postgres@127.0.0.1:${port}/${name}`;
  }

  async postgresQuery(database: string, sql: string): Promise<string> {
    const { stdout } = await run(join(this.installed.postgres.bin, 'psql'), [database, '-Atc', sql]);
    return stdout;
  }

  async runWithSutPython(script: string, args: string[]): Promise<string> {
    const { stdout } = await run(this.installed.sut.python, [join(ROOT, script), ...args], {
      env: { ...process.env, PYTHONPATH: this.installed.sut.src },
    });
    return stdout;
  }

  async operatorMachine(label: string): Promise<OperatorMachine> {
    if (!this.runDir) throw new Error('the local stack has not been started');
    return LocalOperatorMachine.create(this.installed, this.runDir, this.logDir, label);
  }

  proxyFileDir(): string {
    if (!this.runDir) throw new Error('the local stack has not been started');
    const dir = join(this.runDir, 'files');
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    return dir;
  }

  fakeTimeLibrary(): string {
    const found = ['x86_64-linux-gnu', 'aarch64-linux-gnu', 'i386-linux-gnu', 'arm-linux-gnueabihf']
      .map((arch) => `/usr/lib/${arch}/faketime/libfaketime.so.1`)
      .find((path) => existsSync(path));
    if (!found) throw new StackStartError('libfaketime is not installed (a proxy with a controlled clock needs it): run `npm run setup`, which installs the Debian package libfaketime.');
    return found;
  }

  proxyWrittenDir(): WrittenDir {
    if (!this.runDir) throw new Error('the local stack has not been started');
    const dir = join(this.runDir, 'written');
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    return { forProxy: dir, forSuite: dir };
  }

  logTails(lines = 30): { service: string; tail: string }[] {
    const latest = new Map(this.processes.map((p) => [p.name, p] as const));
    return [...latest.values()].map((p) => ({ service: p.name, tail: p.logTail(lines) }));
  }

  async stop(): Promise<void> {
    await this.teardown.run();
  }

  // ------------------------------------------------------------------ services

  private async timed<T>(service: string, start: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    const result = await start();
    const ms = Date.now() - t0;
    this.timings.push({ service, ms });
    this.log(`[stack] ${service} ready in ${ms} ms`);
    return result;
  }

  /**
   * Spawns, registers for teardown, and waits until `ready` says yes (failing fast if it
   * dies, or if `ready` throws GiveUp). A process that does not become ready is stopped.
   */
  async spawnReady(spec: Omit<SpawnSpec, 'logFile'> & { logFile?: string }, ready: (proc: ManagedProcess) => Promise<boolean>): Promise<ManagedProcess> {
    const logFile = spec.logFile ?? join(this.logDir, `${spec.name}.log`);
    const proc = ManagedProcess.start({ ...spec, logFile, stackDir: this.runDir });
    await this.whenReady(proc, logFile, () => ready(proc));
    return proc;
  }

  /**
   * Registers a started process (for its log tail and the teardown) and waits until `ready`
   * says yes, failing fast if it dies or `ready` throws GiveUp. One that does not become
   * ready is stopped.
   */
  private async whenReady(proc: StackProcess, logFile: string, ready: () => Promise<boolean>): Promise<void> {
    this.processes.push(proc);
    this.teardown.push(`stop ${proc.name}`, () => proc.stop());
    try {
      await eventually(
        { description: `${proc.name} to become ready`, timeoutMs: this.config.serviceStartTimeoutMs, intervalMs: 25 },
        async () => {
          if (!proc.running) {
            throw new GiveUp(`${proc.name} ${proc.deathNote}.\n--- last lines of ${logFile} ---\n${proc.logTail(25)}`);
          }
          return ready();
        },
      );
    } catch (error) {
      await proc.stop();
      throw error;
    }
  }

  async startSink(options: SinkOptions): Promise<SinkInstance> {
    const started = Date.now();
    const { endpoints, proc } = await this.launchMailpit(options);
    this.log(`[stack] mailpit "${options.label}" ready in ${Date.now() - started} ms`);
    return { ...endpoints, stop: () => proc.stop() };
  }

  private async startMailpit(options: SinkOptions): Promise<Endpoints['mailpit']> {
    return (await this.launchMailpit(options)).endpoints;
  }

  private mailpitCount = 0;

  private async launchMailpit(options: SinkOptions): Promise<{ endpoints: Endpoints['mailpit']; proc: ManagedProcess }> {
    this.mailpitCount += 1;
    const name = this.mailpitCount === 1 ? 'mailpit' : `mailpit-${this.mailpitCount}-${options.label}`;
    const smtp = options.smtpPort ?? (await freePort());
    const http = await freePort();
    const args = [
      '--smtp', `127.0.0.1:${smtp}`,
      '--listen', `127.0.0.1:${http}`,
      '--database', join(this.runDir, `${name}.db`),
      ...MAILPIT_FLAGS,
    ];
    if (options.allowedRecipients) args.push('--smtp-allowed-recipients', options.allowedRecipients);
    const proc = await this.spawnReady(
      { name, command: this.installed.mailpit, args, env: { ...MAILPIT_ENV } },
      async () => (await httpOk(`http://127.0.0.1:${http}/readyz`)) && (await tcpGreeting('127.0.0.1', smtp, true)).startsWith('220'),
    );
    return { endpoints: { apiUrl: `http://127.0.0.1:${http}`, smtpForProxy: { host: '127.0.0.1', port: smtp } }, proc };
  }

  private async startDovecot(): Promise<Endpoints['imap']> {
    const dir = join(this.runDir, 'dovecot');
    mkdirSync(join(dir, 'mail'), { recursive: true });
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'mail'), 0o777);
    const port = await freePort();
    const password = randomSecret();
    const logFile = join(this.logDir, 'dovecot.log');
    const configFile = join(dir, 'dovecot.conf');
    writeFileSync(configFile, dovecotConfig({ dir, port, password, logFile }));
    await this.spawnReady(
      { name: 'dovecot', command: this.installed.dovecot, args: ['-F', '-c', configFile], logFile },
      async () => (await tcpGreeting('127.0.0.1', port, true).catch(() => '')).includes('* OK') ,
    );
    return { host: '127.0.0.1', port, password, forProxy: { host: '127.0.0.1', port } };
  }

  private async minioSettings(): Promise<Endpoints['s3']> {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const accessKeyId = `suite${randomBytes(4).toString('hex')}`;
    return { endpoint, region: 'us-east-1', accessKeyId, secretAccessKey: randomSecret(), endpointForProxy: endpoint, bucket: RUN_BUCKET };
  }

  private async startMinio(settings: Endpoints['s3']): Promise<Endpoints['s3']> {
    const { endpoint, accessKeyId, secretAccessKey } = settings;
    const port = new URL(endpoint).port;
    await this.spawnReady(
      {
        name: 'minio',
        command: this.installed.minio,
        args: ['server', '--quiet', '--address', `127.0.0.1:${port}`, join(this.runDir, 'minio')],
        env: {
          MINIO_ROOT_USER: accessKeyId,
          MINIO_ROOT_PASSWORD: secretAccessKey,
          ...MINIO_ENV,
        },
      },
      () => httpOk(`${endpoint}/minio/health/ready`),
    );
    await createBucket(settings);
    return settings;
  }

  private async startPostgres(): Promise<{ port: number; bin: string }> {
    const bin = this.installed.postgres.bin;
    requireFile(join(bin, 'postgres'), 'PostgreSQL (Debian package postgresql)');
    const dir = join(this.runDir, 'postgres');
    mkdirSync(dir, { recursive: true });
    const owner = await userIds('postgres');
    if (owner) chownSync(dir, owner.uid, owner.gid);
    const data = join(dir, 'data');
    await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
      uid: owner?.uid,
      gid: owner?.gid,
    }).catch((error: Error & { stderr?: string }) => {
      throw new StackStartError(`initdb failed: ${error.stderr ?? error.message}`);
    });
    const port = await freePort();
    await this.spawnReady(
      {
        name: 'postgresql',
        command: join(bin, 'postgres'),
        args: ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
        uid: owner?.uid,
        gid: owner?.gid,
      },
      async () => {
        try {
          await run(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]);
          return true;
        } catch {
          return false;
        }
      },
    );
    return { port, bin };
  }

  private async launchProxy(options: ProxyOptions & { label: string }, token: string): Promise<LocalProxy> {
    this.proxyCount += 1;
    const name = this.proxyCount === 1 ? 'proxy' : `proxy-${this.proxyCount}-${options.label}`;
    const full: RunningProxyOptions & Required<Pick<ProxyOptions, 'database' | 'retryDelays'>> = {
      testMode: options.testMode ?? false,
      startActive: options.startActive ?? true,
      label: options.label,
      database: options.database ?? join(this.runDir, `${name}.db`),
      retryDelays: options.retryDelays ?? this.config.proxy.retryDelays,
      sendLoopInterval: options.sendLoopInterval,
      defaultPriority: options.defaultPriority,
      reportRetentionSeconds: options.reportRetentionSeconds,
      defaultSmtp: options.defaultSmtp,
      releaseRetry: options.releaseRetry ?? false,
      environment: options.environment ?? {},
    };
    const proxy = new LocalProxy(this, name, full, {
      db: full.database,
      port: await freePort(),
      token,
    });
    await proxy.start();
    return proxy;
  }

  /** Used by LocalProxy: starts one launcher process, forked when its environment is the standard one. */
  async startProxyProcess(
    name: string,
    options: RunningProxyOptions,
    settings: { db: string; port: number; token: string },
    ready: (proc: StackProcess) => Promise<boolean>,
  ): Promise<StackProcess> {
    const spec = this.proxySpec(name, options, settings);
    const ownEnvironment = Object.keys(options.environment ?? {}).length > 0;
    if (!this.forkServer || ownEnvironment) return this.spawnReady(spec, ready);
    const server = await this.forkServer;
    const logFile = join(this.logDir, `${name}.log`);
    // The launcher's own arguments; the server has the rest of the standard environment.
    const proc = await server.start({ name, argv: spec.args.slice(1), env: { GMP_LAUNCHER_TOKEN: settings.token }, logFile });
    await this.whenReady(proc, logFile, () => ready(proc));
    return proc;
  }

  /** The fork server: Python with the SUT imported and the standard environment of a proxy. */
  private async startForkServer(): Promise<ForkServer> {
    const standard = this.proxySpec('fork-server', { testMode: false, startActive: true, label: 'fork-server', environment: {} }, { db: '', port: 0, token: '' }).env;
    const { GMP_LAUNCHER_TOKEN: _token, ...environment } = standard;
    const logFile = join(this.logDir, 'fork-server.log');
    const proc = ManagedProcess.start({
      name: 'fork-server',
      command: this.installed.sut.python,
      args: [join(ROOT, 'stack', 'forkserver.py'), '--launcher', this.launcher],
      env: environment,
      logFile,
      stackDir: this.runDir,
      piped: true,
    });
    const server = new ForkServer(proc, this.runDir);
    // Ready once it has imported the SUT; the same wait, deadline and log tail as any service.
    await this.whenReady(proc, logFile, () => Promise.resolve(server.isReady));
    return server;
  }

  /**
   * The launcher the manifest names: scripts/install.sh records this checkout's
   * stack/launcher.py (test/bad-input.test.ts gives it a crashing one).
   */
  private get launcher(): string {
    return this.installed.launcher;
  }

  /** Used by LocalProxy: the argv and environment of one launcher process. */
  proxySpec(name: string, options: RunningProxyOptions, settings: { db: string; port: number; token: string }) {
    const p = this.config.proxy;
    const args = [
      this.launcher,
      '--db', settings.db,
      '--port', String(settings.port),
      '--send-loop-interval', String(options.sendLoopInterval ?? p.sendLoopInterval),
      '--retry-delays', (options.retryDelays ?? p.retryDelays).join(','),
      '--max-retries', String(p.maxRetries),
      ...instanceSettingArgs(options),
    ];
    if (options.testMode) args.push('--test-mode');
    if (!options.startActive) args.push('--no-start-active');
    if (options.releaseRetry) args.push('--release-retry');
    return {
      name,
      command: this.installed.sut.python,
      args,
      env: {
        ...(options.environment ?? {}),
        PYTHONPATH: this.installed.sut.src,
        GMP_LAUNCHER_TOKEN: settings.token,
        PYTHONUNBUFFERED: '1',
        // Large-file offload (tenant large_file_config, storage_url s3://...) goes through
        // s3fs with no explicit options, so it reads the standard AWS chain: point it at MinIO.
        ...(this.s3 && {
          AWS_ACCESS_KEY_ID: this.s3.accessKeyId,
          AWS_SECRET_ACCESS_KEY: this.s3.secretAccessKey,
          AWS_ENDPOINT_URL: this.s3.endpointForProxy,
          AWS_DEFAULT_REGION: this.s3.region,
        }),
      },
    };
  }
}
