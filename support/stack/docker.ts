/**
 * Over 300 lines on purpose: the provider's start, its further containers and its clean-up share the engine and the compose project.
 *
 * The `docker` provider: the stack of docker-compose.yml as containers, brought up
 * through testcontainers' DockerComposeEnvironment. Each test process (each worker
 * with --parallel) gets a compose project of its own, `gmp-<run>-<worker>`, with fresh
 * secrets, host ports chosen by Docker, and its own volumes; teardown takes down every
 * container, network and volume of the project, also when the start fails half-way,
 * on SIGINT/SIGTERM/SIGHUP, and (through Ryuk, or the suite's own sweep at the next
 * start when Ryuk cannot be had) after a killed run.
 *
 *   mailpit    axllent/mailpit, same MP_* settings as the local flags
 *   imap       docker/imap: Debian's Dovecot with docker/imap/dovecot.conf
 *   minio      quay.io/minio/minio; the provider creates the run's bucket (createBucket),
 *              where docker-compose.yml alone has minio-setup (mc) make it
 *   proxy      docker/proxy: genro-mail-proxy from the PyPI sdist, stack/launcher.py
 *   postgres   profile "db": started on first use only (@db scenarios)
 *
 * Besides compose's services, the provider starts containers on the project's network:
 * further proxies (test mode, a database or retry delays of their own; kept when stopped,
 * so that a restart finds their database) and further Mailpits (sinks). The suite's
 * servers in the test process listen on the network's gateway (Endpoints.partners).
 * Every proxy reads the run's proxy file directory at the same path as the test process
 * (a bind mount, read-only), writes the run's written directory (a second bind mount, at
 * PROXY_WRITTEN_TARGET), and gets MinIO's credentials as the AWS_* variables.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  ContainerRuntimeClient,
  DockerComposeEnvironment,
  GenericContainer,
  StartedDockerComposeEnvironment,
  StartedTestContainer,
  WaitStrategy,
} from 'testcontainers';
import { REPORTS_DIR, ROOT, type SuiteConfig } from '../base/config.js';
import { eventually } from '../base/eventually.js';
import { TeardownStack } from '../base/teardown.js';
import { freePort, tcpGreeting } from '../base/net.js';
import { randomSecret } from '../base/secrets.js';
import { createBucket, MAILPIT_ENV, MAILPIT_FLAGS, StackStartError } from './services.js';
import {
  COMPOSE_FILE,
  COMPOSE_SUITE_FILE,
  composeEndpoints,
  composeVariables,
  containerName,
  DB_PROFILE,
  HOST_FROM_CONTAINERS,
  launcherArgs,
  newSecrets,
  partnersFor,
  PORTS,
  PROJECT_LABEL,
  PROXY_WRITTEN_TARGET,
  projectName,
  proxyDatabase,
  proxyEnvironment,
  published,
  publishIp,
  runId,
  suiteHost,
  versions,
  WAIT_PLAN,
  type ContainerView,
  type WaitPlan,
} from './docker-compose-model.js';
import { guardProject, removeProject, sweepDeadRuns } from './docker-cleanup.js';
import { ContainerLog, DockerProxy, DockerSink, noWait, type ContainerHost } from './docker-containers.js';
import {
  composeUpFailure,
  connectToEngine,
  loadEngineEnv,
  loadTestcontainers,
  settleHostOverride,
  settleReaper,
  type Testcontainers,
} from './docker-engine.js';
import { DockerOperatorMachine, OPERATOR_PORTS } from './operator-docker.js';
import type { Endpoints, OperatorMachine, ProxyInstance, RunningCommand, ProxyOptions, RunningProxyOptions, ServiceTiming, SinkInstance, SinkOptions, StackProvider, WrittenDir } from './types.js';

const MAILPIT_IMAGE = 'axllent/mailpit:v1.30.7';

export class DockerProvider implements StackProvider, ContainerHost {
  readonly name = 'docker' as const;
  readonly timings: ServiceTiming[] = [];
  readonly project: string;
  private readonly teardown = new TeardownStack();
  private readonly secrets = newSecrets();
  private readonly sutVersion: string;
  private readonly logs = new Map<string, ContainerLog>();
  private variables: Record<string, string> = {};
  private logDir = '';
  private filesDir = '';
  private writtenDir = '';
  private client: ContainerRuntimeClient | undefined;
  private started: StartedDockerComposeEnvironment | undefined;
  private withDb: StartedDockerComposeEnvironment | undefined;
  private postgres: Promise<StartedTestContainer> | undefined;
  private main: DockerProxy | undefined;
  private endpoints: Endpoints | undefined;
  private network = '';
  private containerCount = 0;
  private databaseCount = 0;

  constructor(
    private readonly config: SuiteConfig,
    private readonly env: NodeJS.ProcessEnv,
    private readonly label: string,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.sutVersion = env.SUT_VERSION?.trim() || versions().sut.version;
    this.project = projectName(runId(env, { pid: process.pid, ppid: process.ppid, hostname: hostname() }), label);
  }

  get mainProxy(): ProxyInstance {
    if (!this.main) throw new Error('the Docker stack has not been started');
    return this.main;
  }

  async start(): Promise<Endpoints> {
    if (this.env.SUT_SOURCE) {
      throw new StackStartError(
        `SUT_SOURCE=${this.env.SUT_SOURCE} is set, but Docker mode installs the SUT from its PyPI sdist (SUT_VERSION). For a working tree use the local stack: STACK=local.`,
      );
    }
    const t0 = Date.now();
    // What holds for the whole run is said once, by the first worker (or the only process).
    const runWide = (this.env.CUCUMBER_WORKER_ID ?? '0') === '0' ? this.log : () => undefined;
    loadEngineEnv(this.env, runWide);
    await settleHostOverride(this.env, runWide);
    this.client = await connectToEngine();
    try {
      return await this.bringUp(t0, runWide);
    } catch (error) {
      await this.teardown.run().catch((teardownError: Error) => this.log(`[stack] clean-up after the failed start: ${teardownError.message}`));
      throw error;
    }
  }

  private async bringUp(t0: number, runWide: (line: string) => void): Promise<Endpoints> {
    const tc = await loadTestcontainers();
    const ryuk = await settleReaper(this.client!, this.env, runWide);
    if (!ryuk) sweepDeadRuns(this.log);
    this.logDir = join(REPORTS_DIR, 'logs', this.label);
    rmSync(this.logDir, { recursive: true, force: true });
    mkdirSync(this.logDir, { recursive: true });
    this.filesDir = mkdtempSync(join(tmpdir(), `${this.project}-files-`));
    // The proxies run as the image's user 10001: they read what the test process writes here.
    chmodSync(this.filesDir, 0o755);
    const filesDir = this.filesDir;
    this.teardown.push(`remove ${filesDir}`, () => rmSync(filesDir, { recursive: true, force: true }));
    // What the proxies write (user 10001) and the test process reads: writable by all.
    this.writtenDir = mkdtempSync(join(tmpdir(), `${this.project}-written-`));
    chmodSync(this.writtenDir, 0o777);
    const writtenDir = this.writtenDir;
    this.teardown.push(`remove ${writtenDir}`, () => rmSync(writtenDir, { recursive: true, force: true }));
    this.variables = composeVariables(this.config, this.secrets, this.env, this.sutVersion, this.filesDir, this.writtenDir);
    // Registered before `up`, so that a half-started project is taken down too.
    const unguard = guardProject(this.project, [this.filesDir, this.writtenDir], this.log);
    this.teardown.push(`take down compose project ${this.project} (containers, networks, volumes)`, async () => {
      try {
        await this.down();
      } finally {
        unguard();
      }
    });
    this.teardown.push('close container logs', () => {
      for (const log of this.logs.values()) log.close();
    });

    this.log(`[stack] docker: compose project ${this.project} (SUT ${this.sutVersion}; images are built only when missing: npm run docker:build)`);
    const up0 = Date.now();
    try {
      this.started = await this.compose(tc, []).up();
    } catch (error) {
      throw composeUpFailure(error, this.project);
    }
    this.timings.push({ service: 'compose up (health checks)', ms: Date.now() - up0 });

    const portsOf: Record<string, number[]> = {
      mailpit: [PORTS.mailpitSmtp, PORTS.mailpitHttp],
      imap: [PORTS.imap],
      minio: [PORTS.minio],
      proxy: [PORTS.proxy],
    };
    const containers: Record<string, ContainerView> = {};
    for (const [service, ports] of Object.entries(portsOf)) {
      const container = this.started.getContainer(containerName(service));
      containers[containerName(service)] = {
        host: container.getHost(),
        ports: Object.fromEntries(ports.map((port) => [port, container.getMappedPort(port)])),
      };
      await this.followLog(service, container.getId());
    }
    const proxyContainer = this.started.getContainer(containerName('proxy'));
    this.network = proxyContainer.getNetworkNames()[0] ?? `${this.project}_default`;

    const partners = partnersFor(...(await this.gateway()), this.env);
    const endpoints = composeEndpoints(containers, this.secrets, partners);
    // The run's bucket (docker/compose.suite.yml leaves out minio-setup, which made it).
    await Promise.all([this.checkFromHere(endpoints, containers), createBucket(endpoints.s3)]);

    const proxyPort = published(containers, 'proxy', PORTS.proxy).port;
    const main = { testMode: false, startActive: true, label: 'main' };
    this.main = new DockerProxy(this, proxyContainer.getId(), 'proxy', proxyPort, endpoints.proxy.token, main, this.logs.get('proxy')!);
    // Runs before `down`: a test process that is not root cannot remove the folders user
    // 10001 made in the written directory, so the proxy's container empties it then.
    this.teardown.push(`empty ${writtenDir}`, async () => {
      try {
        for (const entry of readdirSync(writtenDir)) rmSync(join(writtenDir, entry), { recursive: true, force: true });
      } catch {
        const result = await proxyContainer.exec(['find', PROXY_WRITTEN_TARGET, '-mindepth', '1', '-delete']);
        if (result.exitCode !== 0) throw new Error(`emptying ${PROXY_WRITTEN_TARGET} in the proxy's container: ${result.output}`);
      }
    });
    endpoints.proxy = this.main.endpoint;
    this.endpoints = endpoints;
    this.log(`[stack] docker stack ready in ${Date.now() - t0} ms; logs in ${this.logDir}; servers of the test process listen on ${partners.listenHost}, the containers call ${partners.hostForProxy}`);
    return endpoints;
  }

  /** The compose environment of this run; `profiles` adds services (db). Images are built by compose only when missing. */
  private compose(tc: Testcontainers, profiles: string[]): DockerComposeEnvironment {
    let env = new tc.DockerComposeEnvironment(ROOT, [COMPOSE_FILE, COMPOSE_SUITE_FILE])
      .withProjectName(this.project)
      .withEnvironment(this.variables)
      .withDefaultWaitStrategy(tc.Wait.forHealthCheck())
      .withStartupTimeout(this.config.serviceStartTimeoutMs);
    for (const [name, plan] of Object.entries(WAIT_PLAN)) {
      // Only containers this `up` can start (testcontainers warns of the others).
      if (name === containerName('postgres') && !profiles.includes(DB_PROFILE)) continue;
      env = env.withWaitStrategy(name, waitStrategy(tc, plan));
    }
    if (profiles.length > 0) env = env.withProfiles(...profiles);
    return env;
  }

  /** Takes the whole project down: the provider's own containers, then compose's, with networks and volumes. */
  private async down(): Promise<void> {
    const problems: string[] = [];
    const composeDown = this.withDb ?? this.started;
    if (composeDown) {
      // compose refuses to remove a network that still has containers: the provider's own go first.
      for (const id of await this.ownContainers()) {
        await this.engine.container.getById(id).remove({ force: true, v: true }).catch((error: Error) => problems.push(error.message));
      }
      await composeDown.down({ removeVolumes: true, timeout: 0 }).catch((error: Error) => problems.push(error.message));
    }
    // Whatever is left (a failed `up`, a failed down): by label, with the docker CLI.
    problems.push(...removeProject(this.project));
    if (problems.length > 0) throw new Error(`compose project ${this.project}: ${problems.join('; ')}`);
  }

  private async ownContainers(): Promise<string[]> {
    const listed = await this.engine.container.dockerode.listContainers({ all: true, filters: { label: [`${PROJECT_LABEL}=${this.project}`] } });
    return listed.map((c) => c.Id);
  }

  /** The gateway of the project's network, and whether the test process can listen on it. */
  private async gateway(): Promise<[string | undefined, boolean]> {
    const info = (await this.engine.network.getById(this.network).inspect()) as { IPAM?: { Config?: { Gateway?: string }[] } };
    const gateway = info.IPAM?.Config?.find((c) => c.Gateway)?.Gateway;
    if (!gateway) return [undefined, false];
    const bindable = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(0, gateway, () => server.close(() => resolve(true)));
    });
    return [gateway, bindable];
  }

  /** The published ports answer from the test process, as the local stack's checks do. */
  private async checkFromHere(endpoints: Endpoints, containers: Record<string, ContainerView>): Promise<void> {
    const smtp = published(containers, 'mailpit', PORTS.mailpitSmtp);
    const options = (what: string) => ({ description: what, timeoutMs: this.config.serviceStartTimeoutMs, intervalMs: 50 });
    await Promise.all([
      eventually(options(`Mailpit's SMTP greeting on ${smtp.host}:${smtp.port}`), () => tcpGreeting(smtp.host, smtp.port, true).catch(() => ''), (g) => g.startsWith('220')),
      eventually(options(`the IMAP greeting on ${endpoints.imap.host}:${endpoints.imap.port}`), () => tcpGreeting(endpoints.imap.host, endpoints.imap.port, true).catch(() => ''), (g) => g.includes('* OK')),
    ]);
  }

  /** Follows a container's log into reports/logs/<worker>/<service>.log. */
  private async followLog(service: string, containerId: string): Promise<ContainerLog> {
    const log = new ContainerLog(service, join(this.logDir, `${service}.log`));
    this.logs.set(service, log);
    await log.follow(this.engine, containerId);
    return log;
  }

  // ------------------------------------------------------------------ further containers

  /** A name for a further container of this project: its network alias and log name. */
  private nextName(kind: string, label: string): string {
    this.containerCount += 1;
    return `${kind}-${this.containerCount + 1}-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  }

  /** A container on the project's network, labelled with the project, its ports published on the publish address. */
  private container(tc: Testcontainers, image: string, name: string, ports: { container: number; host?: number; ip?: string }[]): GenericContainer {
    const publishOn = publishIp(this.env);
    const container = new tc.GenericContainer(image)
      .withName(`${this.project}-${name}`)
      .withNetworkMode(this.network)
      .withNetworkAliases(name)
      .withLabels({ [PROJECT_LABEL]: this.project })
      .withExposedPorts(...ports.map((p) => p.container))
      .withStartupTimeout(this.config.serviceStartTimeoutMs);
    // Not the image's health check: the provider waits for the container itself, once, and
    // a check would run for its whole life (docker/compose.suite.yml says why). Docker's
    // "NONE" turns it off; testcontainers' HealthCheck type has no word for it.
    (container as unknown as { createOpts: { Healthcheck?: { Test: string[] } } }).createOpts.Healthcheck = { Test: ['NONE'] };
    // Bound to one address, like compose's (GMP_PUBLISH_IP), at a fixed port when given.
    const bindings = (container as unknown as { hostConfig: { PortBindings?: Record<string, { HostIp: string; HostPort: string }[]> } }).hostConfig;
    bindings.PortBindings = Object.fromEntries(
      ports.map((p) => [`${p.container}/tcp`, [{ HostIp: p.ip ?? (publishOn === '0.0.0.0' ? '' : publishOn), HostPort: String(p.host ?? 0) }]]),
    );
    return container;
  }

  async startProxy(options: ProxyOptions): Promise<ProxyInstance> {
    const full: RunningProxyOptions = {
      testMode: options.testMode ?? false,
      startActive: options.startActive ?? true,
      label: options.label ?? 'extra',
      database: proxyDatabase(options.database),
      retryDelays: options.retryDelays ?? this.config.proxy.retryDelays,
      sendLoopInterval: options.sendLoopInterval,
      defaultPriority: options.defaultPriority,
      reportRetentionSeconds: options.reportRetentionSeconds,
      defaultSmtp: options.defaultSmtp,
      releaseRetry: options.releaseRetry ?? false,
    };
    const tc = await loadTestcontainers();
    const service = this.nextName('proxy', full.label);
    const token = randomSecret();
    const t0 = Date.now();
    // A fixed host port, so that a restart keeps it, as the local stack's proxy does.
    const hostPort = await freePort();
    const container = await this.container(tc, `gmp-acceptance/proxy:${this.sutVersion}`, service, [{ container: PORTS.proxy, host: hostPort }])
      .withEnvironment({ ...(options.environment ?? {}), ...proxyEnvironment(this.secrets, token) })
      .withCommand(launcherArgs(this.config, full, full.database))
      .withBindMounts([
        { source: this.filesDir, target: this.filesDir, mode: 'ro' },
        { source: this.writtenDir, target: PROXY_WRITTEN_TARGET, mode: 'rw' },
      ])
      .withExtraHosts([{ host: HOST_FROM_CONTAINERS, ipAddress: 'host-gateway' }])
      .withWaitStrategy(noWait(this.config.serviceStartTimeoutMs))
      .start()
      .catch((error: Error) => {
        throw new StackStartError(`proxy "${full.label}" (a container of gmp-acceptance/proxy:${this.sutVersion}) did not start: ${error.message}`);
      });
    const log = await this.followLog(service, container.getId());
    const instance = new DockerProxy(this, container.getId(), service, hostPort, token, full, log);
    // Kept when it does not become ready: its log and state are the evidence; the stack's teardown removes it.
    await instance.waitReady();
    this.log(`[stack] proxy "${full.label}" ready in ${Date.now() - t0} ms`);
    return instance;
  }

  /** A further Mailpit on the project's network; with smtpPort, its SMTP is published on the partners' address at that port. */
  async startSink(options: SinkOptions): Promise<SinkInstance> {
    const partners = this.requireEndpoints().partners;
    const tc = await loadTestcontainers();
    const service = this.nextName('mailpit', options.label);
    const t0 = Date.now();
    const args: string[] = [...MAILPIT_FLAGS];
    if (options.allowedRecipients) args.push('--smtp-allowed-recipients', options.allowedRecipients);
    const smtpPublished = options.smtpPort === undefined ? { container: PORTS.mailpitSmtp } : { container: PORTS.mailpitSmtp, host: options.smtpPort, ip: partners.listenHost };
    const started = await this.container(tc, MAILPIT_IMAGE, service, [smtpPublished, { container: PORTS.mailpitHttp }])
      .withEnvironment({ ...MAILPIT_ENV })
      .withCommand(args)
      // Not the image's health check: its first run is 15 s after the start (no start-interval on Engine 20.10).
      .withWaitStrategy(tc.Wait.forHttp('/readyz', PORTS.mailpitHttp).forStatusCode(200))
      .start()
      .catch((error: Error) => {
        throw new StackStartError(`mail sink "${options.label}" (a container of ${MAILPIT_IMAGE}) did not start: ${error.message}`);
      });
    const log = await this.followLog(service, started.getId());
    const apiUrl = `http://${this.publishedHost}:${started.getMappedPort(PORTS.mailpitHttp)}`;
    const smtpForProxy = options.smtpPort === undefined ? { host: service, port: PORTS.mailpitSmtp } : { host: partners.hostForProxy, port: options.smtpPort };
    const smtpHere = options.smtpPort === undefined ? { host: this.publishedHost, port: started.getMappedPort(PORTS.mailpitSmtp) } : { host: partners.listenHost, port: options.smtpPort };
    await eventually(
      { description: `the SMTP greeting of mail sink "${options.label}" on ${smtpHere.host}:${smtpHere.port}`, timeoutMs: this.config.serviceStartTimeoutMs, intervalMs: 50 },
      () => tcpGreeting(smtpHere.host, smtpHere.port, true).catch(() => ''),
      (greeting) => greeting.startsWith('220'),
    );
    this.log(`[stack] mailpit "${options.label}" ready in ${Date.now() - t0} ms`);
    return new DockerSink(this, started.getId(), apiUrl, smtpForProxy, log);
  }

  // ------------------------------------------------------------------ PostgreSQL and the SUT's Python

  /**
   * Starts the `postgres` service (profile db) in the same compose project on first
   * use. If that start fails, testcontainers takes the whole project down (it downs a
   * project whose `up` failed): the rest of the run then fails loudly.
   */
  async postgresDatabase(): Promise<string> {
    const container = await this.postgresContainer();
    this.databaseCount += 1;
    const name = `gmp_${process.pid}_${this.databaseCount}`;
    const created = await container.exec(['createdb', '-U', 'postgres', name]);
    if (created.exitCode !== 0) throw new StackStartError(`createdb ${name} failed: ${created.output.trim()}`);
    return `postgresql://postgres@postgres:${PORTS.postgres}/${name}`;
  }

  private postgresContainer(): Promise<StartedTestContainer> {
    this.postgres ??= (async () => {
      const tc = await loadTestcontainers();
      const t0 = Date.now();
      try {
        this.withDb = await this.compose(tc, [DB_PROFILE]).up(['postgres']);
      } catch (error) {
        throw composeUpFailure(error, this.project);
      }
      const container = this.withDb.getContainer(containerName('postgres'));
      await this.followLog('postgresql', container.getId());
      this.timings.push({ service: 'postgresql', ms: Date.now() - t0 });
      this.log(`[stack] postgresql ready in ${Date.now() - t0} ms`);
      return container;
    })();
    return this.postgres;
  }

  /** psql in the postgres container, on the database a postgresDatabase() URL names. */
  async postgresQuery(database: string, sql: string): Promise<string> {
    const name = decodeURIComponent(new URL(database).pathname.slice(1));
    const result = await (await this.postgresContainer()).exec(['psql', '-U', 'postgres', '-d', name, '-v', 'ON_ERROR_STOP=1', '-Atc', sql]);
    if (result.exitCode !== 0) throw new Error(`psql on ${name} failed: ${result.output.trim()}`);
    return result.stdout;
  }

  /** The script runs in the main proxy's container: the SUT's Python and packages, on the project's network. */
  async runWithSutPython(script: string, args: string[]): Promise<string> {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(join(ROOT, script), 'utf8');
    const main = this.main;
    if (!main) throw new Error('the Docker stack has not been started');
    const result = await this.engine.container.exec(this.engine.container.getById(main.containerId), ['python', '-c', source, ...args]);
    if (result.exitCode !== 0) throw new Error(`${script} ${args.join(' ')} failed in the proxy container (exit ${result.exitCode}): ${result.output.trim()}`);
    return result.stdout;
  }

  /** A container of the SUT image, idle until the operator's commands run in it (support/stack/operator-docker.ts). */
  async operatorMachine(label: string): Promise<OperatorMachine> {
    const tc = await loadTestcontainers();
    const service = this.nextName('operator', label);
    const started = await this.container(tc, `gmp-acceptance/proxy:${this.sutVersion}`, service, OPERATOR_PORTS.map((port) => ({ container: port })))
      .withEntrypoint(['sleep', 'infinity'])
      .withCommand([])
      .withExtraHosts([{ host: HOST_FROM_CONTAINERS, ipAddress: 'host-gateway' }])
      .withWaitStrategy(noWait(this.config.serviceStartTimeoutMs))
      .start()
      .catch((error: Error) => {
        throw new StackStartError(`the operator's machine "${label}" (a container of gmp-acceptance/proxy:${this.sutVersion}) did not start: ${error.message}`);
      });
    const id = started.getId();
    let removed = false;
    const remove = async () => {
      if (removed) return;
      removed = true;
      await this.engine.container.getById(id).remove({ force: true, v: true });
    };
    this.teardown.push(`remove ${service}`, remove);
    const machine = new DockerOperatorMachine(this.engine, id, (port) => `http://${this.publishedHost}:${started.getMappedPort(port)}`, remove, (settings) => this.releaseImage(label, settings));
    await machine.prepare();
    return machine;
  }

  /**
   * A container of the release's own image (gmp-acceptance/release, built from the sdist's
   * Dockerfile by scripts/docker-build.sh), run as its docs say: its own command, port 8000
   * published, the given settings in its environment. Removed with the run.
   */
  private async releaseImage(label: string, settings: Record<string, string>): Promise<{ url: string; command: RunningCommand }> {
    const tc = await loadTestcontainers();
    const service = this.nextName('release', label);
    const image = `gmp-acceptance/release:${this.sutVersion}`;
    const started = await this.container(tc, image, service, [{ container: 8000 }])
      .withEnvironment(settings)
      .withExtraHosts([{ host: HOST_FROM_CONTAINERS, ipAddress: 'host-gateway' }])
      .withWaitStrategy(noWait(this.config.serviceStartTimeoutMs))
      .start()
      .catch((error: Error) => {
        throw new StackStartError(`the release's image ${image} did not start (npm run docker:build builds it): ${error.message}`);
      });
    const id = started.getId();
    const handle = this.engine.container.getById(id);
    let removed = false;
    const remove = async () => {
      if (removed) return;
      removed = true;
      await handle.remove({ force: true, v: true });
    };
    this.teardown.push(`remove ${service}`, remove);
    const log = await this.followLog(service, id);
    const command: RunningCommand = {
      exitNote: async () => {
        const info = await this.engine.container.inspect(handle);
        return info.State.Running ? undefined : `exited with code ${info.State.ExitCode}`;
      },
      output: async () => log.tail(400),
      stop: remove,
    };
    return { url: `http://${this.publishedHost}:${started.getMappedPort(8000)}`, command };
  }

  proxyFileDir(): string {
    if (!this.filesDir) throw new Error('the Docker stack has not been started');
    return this.filesDir;
  }

  fakeTimeLibrary(): string {
    // docker/proxy/Dockerfile installs Debian's libfaketime and links it here.
    return '/usr/local/lib/libfaketime.so.1';
  }

  proxyWrittenDir(): WrittenDir {
    if (!this.writtenDir) throw new Error('the Docker stack has not been started');
    return { forProxy: PROXY_WRITTEN_TARGET, forSuite: this.writtenDir };
  }

  logTails(lines = 30): { service: string; tail: string }[] {
    return [...this.logs.values()].map((log) => ({ service: log.service, tail: log.tail(lines) }));
  }

  async stop(): Promise<void> {
    await this.teardown.run();
  }

  private requireEndpoints(): Endpoints {
    if (!this.endpoints) throw new Error('the Docker stack has not been started');
    return this.endpoints;
  }

  // ------------------------------------------------------------------ ContainerHost

  get engine(): ContainerRuntimeClient {
    if (!this.client) throw new Error('the Docker stack has not been started');
    return this.client;
  }

  get publishedHost(): string {
    return suiteHost(this.engine.info.containerRuntime.host);
  }

  get startTimeoutMs(): number {
    return this.config.serviceStartTimeoutMs;
  }
}

function waitStrategy(tc: Testcontainers, plan: WaitPlan): WaitStrategy {
  const strategies: WaitStrategy[] = [];
  if (plan.healthCheck) strategies.push(tc.Wait.forHealthCheck());
  if (plan.http) strategies.push(tc.Wait.forHttp(plan.http.path, plan.http.port).forStatusCode(200));
  if (plan.logLine) strategies.push(tc.Wait.forLogMessage(plan.logLine));
  return tc.Wait.forAll(strategies);
}
