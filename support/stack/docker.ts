/**
 * Over 300 lines on purpose: the provider and its container handles (logs, further proxies) share the engine and the compose project.
 *
 * The `docker` provider: the stack of docker-compose.yml as containers, brought up
 * through testcontainers' DockerComposeEnvironment. Each test process (each worker
 * with --parallel) gets a compose project of its own, with fresh secrets, host ports
 * chosen by Docker, and its own volumes; teardown is `compose down` with the volumes,
 * also when the start fails half-way. testcontainers' Ryuk removes the project if the
 * test process is killed.
 *
 *   mailpit    axllent/mailpit, same MP_* settings as the local flags
 *   imap       docker/imap: Debian's Dovecot with docker/imap/dovecot.conf
 *   minio      quay.io/minio/minio, plus minio-setup (mc) creating the run's bucket
 *   proxy      docker/proxy: genro-mail-proxy from the PyPI sdist, stack/launcher.py
 *   postgres   profile "db": started on first use only (@db scenarios)
 *
 * Further proxies (test mode) are containers of the proxy image on the project's
 * network. The proxy reaches the test process (delivery-report callbacks) as
 * host.docker.internal (compose `extra_hosts: host-gateway`); see callbackReceiverFor.
 *
 * Written and unit-tested on a machine without a Docker engine: the pure parts
 * (variables, port mapping, wait plan, callback address) are tested, and so is the
 * fast, clear failure when no engine answers. The container path itself has not run.
 */
import { createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type {
  ContainerRuntimeClient,
  DockerComposeEnvironment,
  StartedDockerComposeEnvironment,
  StartedTestContainer,
  WaitStrategy,
} from 'testcontainers';
import { REPORTS_DIR, ROOT, type SuiteConfig } from '../base/config.js';
import { eventually } from '../base/eventually.js';
import { TeardownStack } from '../base/teardown.js';
import { httpOk, tcpGreeting } from '../base/net.js';
import { StackStartError } from './services.js';
import {
  callbackReceiverFor,
  hostPortFromInspect,
  COMPOSE_FILE,
  composeEndpoints,
  composeVariables,
  containerName,
  DB_PROFILE,
  HOST_FROM_CONTAINERS,
  launcherArgs,
  localAddresses,
  newSecrets,
  PORTS,
  published,
  publishIp,
  suiteHost,
  versions,
  WAIT_PLAN,
  type ContainerView,
  type WaitPlan,
} from './docker-compose-model.js';
import { randomBytes } from 'node:crypto';
import { randomSecret } from '../base/secrets.js';
import { composeUpFailure, connectToEngine, loadTestcontainers, type Testcontainers } from './docker-engine.js';
import type { Endpoints, ProxyEndpoint, ProxyInstance, ProxyOptions, RunningProxyOptions, ServiceTiming, StackProvider } from './types.js';

// ------------------------------------------------------------------ logs

/** Follows a container's log into reports/logs/<worker>/<service>.log and keeps its tail. */
class ContainerLog {
  private readonly lines: string[] = [];
  private partial = '';
  private readonly file: WriteStream;
  private stream: Readable | undefined;

  constructor(
    readonly service: string,
    path: string,
    private readonly keep = 400,
  ) {
    this.file = createWriteStream(path, { flags: 'a' });
  }

  follow(stream: Readable): void {
    this.stream = stream;
    stream.on('data', (chunk: Buffer | string) => {
      const text = chunk.toString();
      this.file.write(text);
      const parts = (this.partial + text).split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
      if (this.lines.length > this.keep) this.lines.splice(0, this.lines.length - this.keep);
    });
    stream.on('error', () => {
      // The container went away; what was read is kept.
    });
  }

  tail(lines: number): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-lines).join('\n') || '(no output)';
  }

  close(): void {
    this.stream?.destroy();
    this.file.end();
  }
}

// ------------------------------------------------------------------ the provider

export class DockerProvider implements StackProvider {
  readonly name = 'docker' as const;
  readonly timings: ServiceTiming[] = [];
  readonly project: string;
  private readonly teardown = new TeardownStack();
  private readonly secrets = newSecrets();
  private readonly sutVersion: string;
  private readonly variables: Record<string, string>;
  private readonly logs = new Map<string, ContainerLog>();
  private logDir = '';
  private client: ContainerRuntimeClient | undefined;
  private started: StartedDockerComposeEnvironment | undefined;
  private withDb: StartedDockerComposeEnvironment | undefined;
  private postgres: Promise<StartedTestContainer> | undefined;
  private main: DockerProxy | undefined;
  private network = '';
  private proxyCount = 0;
  private databaseCount = 0;

  constructor(
    private readonly config: SuiteConfig,
    private readonly env: NodeJS.ProcessEnv,
    private readonly label: string,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.sutVersion = env.SUT_VERSION?.trim() || versions().sut.version;
    const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    this.project = `gmp-${slug}-${randomBytes(3).toString('hex')}`;
    this.variables = composeVariables(config, this.secrets, env, this.sutVersion);
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
    this.client = await connectToEngine();
    try {
      return await this.bringUp(t0);
    } catch (error) {
      await this.teardown.run().catch((teardownError: Error) => this.log(`[stack] clean-up after the failed start: ${teardownError.message}`));
      throw error;
    }
  }

  private async bringUp(t0: number): Promise<Endpoints> {
    const tc = await loadTestcontainers();
    this.logDir = join(REPORTS_DIR, 'logs', this.label);
    rmSync(this.logDir, { recursive: true, force: true });
    mkdirSync(this.logDir, { recursive: true });
    // Registered before `up`, so that a half-started project is taken down too.
    this.teardown.push(`compose down ${this.project} (containers, network, volumes)`, () => this.down());
    this.teardown.push('close container logs', () => {
      for (const log of this.logs.values()) log.close();
    });

    this.log(`[stack] docker: compose project ${this.project} (SUT ${this.sutVersion}); the first run builds two images and pulls the others`);
    const up0 = Date.now();
    try {
      this.started = await this.compose(tc, []).up();
    } catch (error) {
      throw composeUpFailure(error, this.project);
    }
    this.timings.push({ service: 'compose up (build, pull, health checks)', ms: Date.now() - up0 });

    const services = ['mailpit', 'imap', 'minio', 'proxy'];
    const containers: Record<string, ContainerView> = {};
    const portsOf: Record<string, number[]> = {
      mailpit: [PORTS.mailpitSmtp, PORTS.mailpitHttp],
      imap: [PORTS.imap],
      minio: [PORTS.minio],
      proxy: [PORTS.proxy],
    };
    for (const service of services) {
      const container = this.started.getContainer(containerName(service));
      containers[containerName(service)] = {
        host: container.getHost(),
        ports: Object.fromEntries(portsOf[service]!.map((port) => [port, container.getMappedPort(port)])),
      };
      await this.followLog(service, container);
    }
    const proxyContainer = this.started.getContainer(containerName('proxy'));
    this.network = proxyContainer.getNetworkNames()[0] ?? `${this.project}_default`;

    const gateway = await this.hostGatewayIp(proxyContainer);
    const endpoints = composeEndpoints(containers, this.secrets, callbackReceiverFor(gateway, localAddresses(), this.env));
    await this.checkFromHere(endpoints, containers);

    this.main = new DockerProxy(this, proxyContainer, 'proxy', endpoints.proxy.token, { testMode: false, startActive: true, label: 'main' }, false);
    endpoints.proxy = this.main.endpoint;
    this.log(
      `[stack] docker stack ready in ${Date.now() - t0} ms; logs in ${this.logDir}; callbacks: listen on ${endpoints.callbackReceiver.listenHost}, the proxy calls ${HOST_FROM_CONTAINERS}`,
    );
    return endpoints;
  }

  /** The compose environment of this run; `profiles` adds services (db). */
  private compose(tc: Testcontainers, profiles: string[]): DockerComposeEnvironment {
    let env = new tc.DockerComposeEnvironment(ROOT, COMPOSE_FILE)
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
    else env = env.withBuild();
    return env;
  }

  /** Takes the whole project down, volumes included; works even when `up` failed. */
  private async down(): Promise<void> {
    if (this.withDb) {
      await this.withDb.down({ removeVolumes: true });
      return;
    }
    if (this.started) {
      await this.started.down({ removeVolumes: true });
      return;
    }
    // `up` failed (testcontainers also downs then): make sure, with every profile.
    await this.client?.compose.down(
      { filePath: ROOT, files: COMPOSE_FILE, projectName: this.project, environment: this.variables, composeOptions: ['--profile', DB_PROFILE] },
      { removeVolumes: true, timeout: 0 },
    );
  }

  private async hostGatewayIp(proxy: StartedTestContainer): Promise<string | undefined> {
    const result = await proxy.exec(['python', '-c', `import socket; print(socket.gethostbyname('${HOST_FROM_CONTAINERS}'))`]);
    if (result.exitCode !== 0) {
      throw new StackStartError(
        `the proxy container cannot resolve ${HOST_FROM_CONTAINERS} (extra_hosts host-gateway needs Docker Engine 20.10+): ${result.output.trim()}`,
      );
    }
    return result.stdout.trim() || undefined;
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

  /** Follows a container's log (from `since`, in seconds since the epoch, after a restart). */
  async followLog(service: string, container: StartedTestContainer, since?: number): Promise<void> {
    const log = new ContainerLog(service, join(this.logDir, `${service}.log`));
    this.logs.get(service)?.close();
    this.logs.set(service, log);
    log.follow(await container.logs(since === undefined ? undefined : { since }));
  }

  logTail(service: string, lines: number): string {
    return this.logs.get(service)?.tail(lines) ?? '(no log)';
  }

  async startProxy(options: ProxyOptions): Promise<ProxyInstance> {
    if (options.database !== undefined || options.retryDelays !== undefined) {
      throw new StackStartError(
        'Docker mode cannot yet start a proxy on a given database or with other retry delays (restart and PostgreSQL scenarios): run them on the local stack (npm run setup; unset STACK).',
      );
    }
    const full: RunningProxyOptions = {
      testMode: options.testMode ?? false,
      startActive: options.startActive ?? true,
      label: options.label ?? 'extra',
    };
    const tc = await loadTestcontainers();
    this.proxyCount += 1;
    const service = `proxy-${this.proxyCount + 1}-${full.label}`;
    const token = randomSecret();
    const t0 = Date.now();
    const plan = WAIT_PLAN[containerName('proxy')]!;
    const container = await new (publishedContainer(tc))(`gmp-acceptance/proxy:${this.sutVersion}`)
      .withNetworkMode(this.network)
      .withExposedPorts(PORTS.proxy)
      .publishedOn(publishIp(this.env))
      .withEnvironment({ GMP_LAUNCHER_TOKEN: token })
      .withCommand(launcherArgs(this.config, full))
      .withExtraHosts([{ host: HOST_FROM_CONTAINERS, ipAddress: 'host-gateway' }])
      .withLabels({ 'org.genro-mail-proxy.acceptance.project': this.project })
      .withWaitStrategy(waitStrategy(tc, plan))
      .withStartupTimeout(this.config.serviceStartTimeoutMs)
      .start()
      .catch((error: Error) => {
        throw new StackStartError(`proxy "${full.label}" (a container of gmp-acceptance/proxy:${this.sutVersion}) did not start: ${error.message}`);
      });
    await this.followLog(service, container);
    const instance = new DockerProxy(this, container, service, token, full, true);
    this.teardown.push(`stop ${service}`, () => instance.stop());
    this.log(`[stack] proxy "${full.label}" ready in ${Date.now() - t0} ms`);
    return instance;
  }

  /**
   * Starts the `postgres` service (profile db) in the same compose project on first
   * use. If that start fails, testcontainers takes the whole project down (it downs a
   * project whose `up` failed): the rest of the run then fails loudly.
   */
  /**
   * Not built for Docker mode: the fault scenarios that need a further sink (a server that
   * is down then back, unknown recipients, TLS) run on the local provider. Written here
   * without an engine to try it, an implementation would only pretend.
   */
  async startSink(options: { label: string }): Promise<never> {
    throw new StackStartError(
      `Docker mode cannot start a further mail sink ("${options.label}") yet: run the fault scenarios that need one on the local stack (npm run setup; unset STACK).`,
    );
  }

  async postgresDatabase(): Promise<string> {
    this.postgres ??= (async () => {
      const tc = await loadTestcontainers();
      const t0 = Date.now();
      try {
        this.withDb = await this.compose(tc, [DB_PROFILE]).up(['postgres']);
      } catch (error) {
        throw composeUpFailure(error, this.project);
      }
      const container = this.withDb.getContainer(containerName('postgres'));
      await this.followLog('postgresql', container);
      this.timings.push({ service: 'postgresql', ms: Date.now() - t0 });
      this.log(`[stack] postgresql ready in ${Date.now() - t0} ms`);
      return container;
    })();
    const container = await this.postgres;
    this.databaseCount += 1;
    const name = `gmp_${process.pid}_${this.databaseCount}`;
    const created = await container.exec(['createdb', '-U', 'postgres', name]);
    if (created.exitCode !== 0) throw new StackStartError(`createdb ${name} failed: ${created.output.trim()}`);
    return `postgresql://postgres@postgres:${PORTS.postgres}/${name}`;
  }

  logTails(lines = 30): { service: string; tail: string }[] {
    return [...this.logs.values()].map((log) => ({ service: log.service, tail: log.tail(lines) }));
  }

  async stop(): Promise<void> {
    await this.teardown.run();
  }

  /** For DockerProxy: the engine client. */
  get engine(): ContainerRuntimeClient {
    if (!this.client) throw new Error('the Docker stack has not been started');
    return this.client;
  }

  get startTimeoutMs(): number {
    return this.config.serviceStartTimeoutMs;
  }
}

/**
 * GenericContainer whose published ports are bound to one address, like the compose
 * services' (GMP_PUBLISH_IP), instead of every interface.
 */
function publishedContainer(tc: Testcontainers) {
  return class PublishedContainer extends tc.GenericContainer {
    publishedOn(ip: string): this {
      if (ip === '' || ip === '0.0.0.0') return this;
      const bindings = this.hostConfig.PortBindings ?? {};
      for (const key of Object.keys(bindings)) bindings[key] = [{ HostIp: ip, HostPort: '0' }];
      this.hostConfig.PortBindings = bindings;
      return this;
    }
  };
}

function waitStrategy(tc: Testcontainers, plan: WaitPlan): WaitStrategy {
  const strategies: WaitStrategy[] = [tc.Wait.forHealthCheck()];
  if (plan.http) strategies.push(tc.Wait.forHttp(plan.http.path, plan.http.port).forStatusCode(200));
  return tc.Wait.forAll(strategies);
}

/**
 * A proxy container: the compose service `proxy`, or a further container of its
 * image. `endpoint` is one object whose baseUrl follows the container: a restart can
 * give the container another host port, and clients holding the object follow it.
 */
class DockerProxy implements ProxyInstance {
  readonly endpoint: ProxyEndpoint;
  private stopped = false;

  constructor(
    private readonly provider: DockerProvider,
    private readonly container: StartedTestContainer,
    private readonly service: string,
    token: string,
    readonly options: RunningProxyOptions,
    private readonly removeOnStop: boolean,
  ) {
    this.endpoint = { baseUrl: `http://${suiteHost(container.getHost())}:${container.getMappedPort(PORTS.proxy)}`, token };
  }

  private get handle() {
    return this.provider.engine.container.getById(this.container.getId());
  }

  /** Stops the container (SIGTERM, 5 s grace) and starts it again on the same database. */
  async restart(): Promise<void> {
    const since = Math.floor(Date.now() / 1000);
    await this.provider.engine.container.restart(this.handle, { timeout: 5_000 });
    this.stopped = false;
    await this.followPortAndHealth(since);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.provider.engine.container.stop(this.handle, { timeout: 5_000 });
    if (this.removeOnStop) await this.provider.engine.container.remove(this.handle, { removeVolumes: true });
  }

  private async followPortAndHealth(since: number): Promise<void> {
    const inspect = await eventually(
      { description: `${this.service} to publish its port again after the restart`, timeoutMs: this.provider.startTimeoutMs, intervalMs: 100 },
      () => this.provider.engine.container.inspect(this.handle),
      (info) => hostPortFromInspect(info.NetworkSettings.Ports, PORTS.proxy) !== undefined,
    );
    const port = hostPortFromInspect(inspect.NetworkSettings.Ports, PORTS.proxy)!;
    this.endpoint.baseUrl = `http://${suiteHost(this.container.getHost())}:${port}`;
    await eventually(
      { description: `${this.service} to answer /health after the restart`, timeoutMs: this.provider.startTimeoutMs, intervalMs: 50 },
      () => httpOk(`${this.endpoint.baseUrl}/health`),
    );
    await this.provider.followLog(this.service, this.container, since);
  }

  logTail(lines = 40): string {
    return this.provider.logTail(this.service, lines);
  }
}
