/**
 * Over 300 lines on purpose: every pure function of Docker mode in one module, so that test/docker.test.ts checks them all without an engine.
 *
 * What the suite knows of docker-compose.yml, as pure functions: service names, container
 * ports, the variables compose interpolates for a run, the launcher's arguments, how the
 * suite and the proxy container reach each published port. Used by the `docker` provider
 * (support/stack/docker.ts); unit-tested in test/docker.test.ts without an engine.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, type SuiteConfig } from '../base/config.js';
import { randomSecret } from '../base/secrets.js';
import { RUN_BUCKET, StackStartError } from './services.js';
import { instanceSettingArgs, type Endpoints, type HostPort, type RunningProxyOptions } from './types.js';

export const COMPOSE_FILE = 'docker-compose.yml';
/** What the suite's runs add to it: no health checks where the suite waits itself (the file says why). */
export const COMPOSE_SUITE_FILE = 'docker/compose.suite.yml';
export const DB_PROFILE = 'db';

/** Container ports in docker-compose.yml. */
export const PORTS = {
  mailpitSmtp: 1025,
  mailpitHttp: 8025,
  imap: 143,
  minio: 9000,
  proxy: 8000,
  postgres: 5432,
} as const;

/**
 * testcontainers keys compose containers by container name, which Compose v2 forms as
 * `<service>-<index>` (`mailpit-1`, not `mailpit`): a wait strategy under a service
 * name would be ignored.
 */
export function containerName(service: string): string {
  return `${service}-1`;
}

/** How the provider waits for each container of the compose project. */
export interface WaitPlan {
  /** The compose health check must report healthy (a service whose check the suite's file keeps). */
  healthCheck: boolean;
  /** This HTTP path must answer 200 through the published port, from the test process. */
  http?: { path: string; port: number };
  /** This line must show in the container's log. */
  logLine?: RegExp;
}

export const WAIT_PLAN: Readonly<Record<string, WaitPlan>> = {
  [containerName('mailpit')]: { healthCheck: false, http: { path: '/readyz', port: PORTS.mailpitHttp } },
  [containerName('imap')]: { healthCheck: false, logLine: /Dovecot v[\d.]+.* starting up/ },
  [containerName('minio')]: { healthCheck: false, http: { path: '/minio/health/ready', port: PORTS.minio } },
  [containerName('proxy')]: { healthCheck: false, http: { path: '/health', port: PORTS.proxy } },
  [containerName('postgres')]: { healthCheck: true },
};

/** The host name under which the proxy container reaches the Docker host (compose `extra_hosts: host-gateway`). */
export const HOST_FROM_CONTAINERS = 'host.docker.internal';

/** The label every container the provider starts itself (further proxies, sinks) carries: its compose project. */
export const PROJECT_LABEL = 'org.genro-mail-proxy.acceptance.project';
/** Compose's own label on the containers, networks and volumes of a project. */
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
/** Where a further proxy keeps its SQLite database, inside its container. */
export const PROXY_DB = '/data/proxy.db';

export interface DockerSecrets {
  proxyToken: string;
  imapPassword: string;
  s3AccessKey: string;
  s3SecretKey: string;
}

export function newSecrets(): DockerSecrets {
  return {
    proxyToken: randomSecret(),
    imapPassword: randomSecret(),
    s3AccessKey: `suite${randomBytes(4).toString('hex')}`,
    s3SecretKey: randomSecret(),
  };
}

export interface Versions {
  sut: { version: string };
}

export function versions(): Versions {
  return JSON.parse(readFileSync(join(ROOT, 'versions.json'), 'utf8')) as Versions;
}

/** The address published ports are bound to (docker-compose.yml's GMP_PUBLISH_IP). */
export function publishIp(env: NodeJS.ProcessEnv): string {
  return env.SUITE_DOCKER_PUBLISH_IP?.trim() || '127.0.0.1';
}

/** Where every proxy container sees the run's written directory (GMP_PROXY_WRITTEN on this machine), writable. */
export const PROXY_WRITTEN_TARGET = '/srv/gmp-written';

/**
 * The variables docker-compose.yml interpolates, for one run. `proxyFiles`: the directory
 * the proxies read; `proxyWritten`: the directory they write (at PROXY_WRITTEN_TARGET). Pure.
 */
export function composeVariables(
  config: SuiteConfig,
  secrets: DockerSecrets,
  env: NodeJS.ProcessEnv,
  sutVersion: string,
  proxyFiles: string,
  proxyWritten: string,
): Record<string, string> {
  return {
    GMP_PROXY_TOKEN: secrets.proxyToken,
    GMP_IMAP_PASSWORD: secrets.imapPassword,
    GMP_S3_ACCESS_KEY: secrets.s3AccessKey,
    GMP_S3_SECRET_KEY: secrets.s3SecretKey,
    GMP_S3_BUCKET: RUN_BUCKET,
    GMP_SEND_LOOP_INTERVAL: String(config.proxy.sendLoopInterval),
    GMP_RETRY_DELAYS: config.proxy.retryDelays.join(','),
    GMP_MAX_RETRIES: String(config.proxy.maxRetries),
    GMP_PUBLISH_IP: publishIp(env),
    GMP_PROXY_FILES: proxyFiles,
    GMP_PROXY_WRITTEN: proxyWritten,
    SUT_VERSION: sutVersion,
  };
}

/**
 * The environment of a further proxy container: its token, and the S3 settings the
 * compose service `proxy` gets (s3fs reads the standard AWS chain; MinIO as the
 * containers reach it). Pure.
 */
export function proxyEnvironment(secrets: DockerSecrets, token: string): Record<string, string> {
  return {
    GMP_LAUNCHER_TOKEN: token,
    AWS_ACCESS_KEY_ID: secrets.s3AccessKey,
    AWS_SECRET_ACCESS_KEY: secrets.s3SecretKey,
    AWS_ENDPOINT_URL: `http://minio:${PORTS.minio}`,
    AWS_DEFAULT_REGION: 'us-east-1',
  };
}

/**
 * The database of a further proxy, as its container sees it: a PostgreSQL URL from
 * postgresDatabase() (host `postgres` on the project's network), a path under /data
 * (the container's own), or by default its own SQLite file. Pure.
 */
export function proxyDatabase(database: string | undefined): string {
  if (database === undefined) return PROXY_DB;
  if (/^postgres(ql)?:\/\//.test(database) || database.startsWith('/data/')) return database;
  throw new StackStartError(
    `Docker mode cannot start a proxy on the SQLite file ${database}: a further proxy keeps its SQLite database in its own container (${PROXY_DB}), or runs on a PostgreSQL URL from postgresDatabase().`,
  );
}

/** The launcher's arguments (after the image's entrypoint) for a proxy container. Pure. */
export function launcherArgs(config: SuiteConfig, options: RunningProxyOptions, db = PROXY_DB): string[] {
  const p = config.proxy;
  const args = [
    '--db', db,
    '--send-loop-interval', String(options.sendLoopInterval ?? p.sendLoopInterval),
    '--retry-delays', (options.retryDelays ?? p.retryDelays).join(','),
    '--max-retries', String(p.maxRetries),
    ...instanceSettingArgs(options),
  ];
  if (options.testMode) args.push('--test-mode');
  if (!options.startActive) args.push('--no-start-active');
  if (options.releaseRetry) args.push('--release-retry');
  return args;
}

/** What the suite needs to know of a started container: its host and mapped ports. */
export interface ContainerView {
  host: string;
  /** Host port by container port. */
  ports: Record<number, number>;
}

/**
 * The host the test process uses for published ports. testcontainers says
 * `localhost` for a local engine; the ports are bound to an IPv4 address, so the
 * suite uses 127.0.0.1 rather than let `localhost` resolve to ::1 first.
 */
export function suiteHost(host: string): string {
  return host === 'localhost' ? '127.0.0.1' : host;
}

export function published(containers: Record<string, ContainerView>, service: string, port: number): HostPort {
  const name = containerName(service);
  const view = containers[name];
  if (!view) {
    throw new StackStartError(`the Docker stack has no running container ${name} (running: ${Object.keys(containers).join(', ') || 'none'})`);
  }
  const mapped = view.ports[port];
  if (!mapped) throw new StackStartError(`container ${name} publishes no host port for its port ${port}`);
  return { host: suiteHost(view.host), port: mapped };
}

/**
 * The endpoints of a compose stack: the suite reaches every service through its
 * published port; the proxy reaches the others by compose service name on the
 * project's network. Pure; unit-tested.
 */
export function composeEndpoints(
  containers: Record<string, ContainerView>,
  secrets: DockerSecrets,
  partners: Endpoints['partners'],
): Endpoints {
  const proxy = published(containers, 'proxy', PORTS.proxy);
  const mailpit = published(containers, 'mailpit', PORTS.mailpitHttp);
  const imap = published(containers, 'imap', PORTS.imap);
  const minio = published(containers, 'minio', PORTS.minio);
  return {
    proxy: { baseUrl: `http://${proxy.host}:${proxy.port}`, token: secrets.proxyToken },
    mailpit: {
      apiUrl: `http://${mailpit.host}:${mailpit.port}`,
      smtpForProxy: { host: 'mailpit', port: PORTS.mailpitSmtp },
    },
    imap: { ...imap, password: secrets.imapPassword, forProxy: { host: 'imap', port: PORTS.imap } },
    s3: {
      endpoint: `http://${minio.host}:${minio.port}`,
      region: 'us-east-1',
      accessKeyId: secrets.s3AccessKey,
      secretAccessKey: secrets.s3SecretKey,
      endpointForProxy: `http://minio:${PORTS.minio}`,
      bucket: RUN_BUCKET,
    },
    partners,
  };
}

/** The host port Docker bound to a container port, from `docker inspect`'s NetworkSettings.Ports. Pure. */
export function hostPortFromInspect(
  ports: Record<string, { HostIp?: string; HostPort?: string }[] | null | undefined> | undefined,
  containerPort: number,
): number | undefined {
  const bindings = ports?.[`${containerPort}/tcp`] ?? [];
  const ipv4 = bindings.find((b) => b.HostIp === undefined || b.HostIp === '' || /^\d+\.\d+\.\d+\.\d+$/.test(b.HostIp));
  const port = Number((ipv4 ?? bindings[0])?.HostPort);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/**
 * Where the suite's servers in the test process listen (Endpoints.partners) and the
 * host name the containers use for them. `gateway` is the gateway address of the
 * project's compose network, `bindable` says whether the test process could listen on
 * it: on Linux it is an address of this machine, on the bridge every container of the
 * run is attached to, so the servers stay off every other network and the containers
 * reach them directly. Where it is not (Docker Desktop, a remote engine), 127.0.0.1 and
 * host.docker.internal, which Docker Desktop forwards to the host's loopback.
 * SUITE_PARTNER_LISTEN_HOST and SUITE_PARTNER_HOST_FOR_PROXY override. Pure.
 */
export function partnersFor(gateway: string | undefined, bindable: boolean, env: NodeJS.ProcessEnv): Endpoints['partners'] {
  const listenHost = env.SUITE_PARTNER_LISTEN_HOST?.trim();
  const hostForProxy = env.SUITE_PARTNER_HOST_FOR_PROXY?.trim();
  const derived = gateway && bindable ? { listenHost: gateway, hostForProxy: gateway } : { listenHost: '127.0.0.1', hostForProxy: HOST_FROM_CONTAINERS };
  return { listenHost: listenHost || derived.listenHost, hostForProxy: hostForProxy || derived.hostForProxy };
}

// ------------------------------------------------------------------ runs and projects

/** Four hex digits of the host name: runs of two machines on one engine never share a name. */
export function hostTag(hostname: string): string {
  return createHash('sha1').update(hostname).digest('hex').slice(0, 4);
}

/**
 * The run's id: SUITE_DOCKER_RUN_ID when set, else the host tag and the PID of the
 * run's main process (Cucumber's coordinator with --parallel, whose workers are its
 * children). Every worker of one run gets the same id. Pure.
 */
export function runId(env: NodeJS.ProcessEnv, facts: { pid: number; ppid: number; hostname: string }): string {
  const given = env.SUITE_DOCKER_RUN_ID?.trim().toLowerCase().replace(/[^a-z0-9]+/g, '');
  if (given) return given;
  const main = env.CUCUMBER_WORKER_ID === undefined ? facts.pid : facts.ppid;
  return `${hostTag(facts.hostname)}p${main}`;
}

/** The compose project of one test process: `gmp-<run>-<worker>`. Pure. */
export function projectName(run: string, label: string): string {
  return `gmp-${run}-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

/** The host tag and main PID a project name carries, if it was made by runId() without SUITE_DOCKER_RUN_ID. Pure. */
export function projectOwner(project: string): { hostTag: string; pid: number } | undefined {
  const match = /^gmp-([0-9a-f]{4})p(\d+)-/.exec(project);
  return match ? { hostTag: match[1]!, pid: Number(match[2]) } : undefined;
}

// ------------------------------------------------------------------ the suite inside a container

export interface HostFacts {
  /** TESTCONTAINERS_HOST_OVERRIDE as set. */
  override: string | undefined;
  /** /.dockerenv exists: the suite itself runs in a container. */
  inContainer: boolean;
  /** DOCKER_HOST, or the default socket. */
  dockerHost: string;
  /** The engine's unix socket is listening in this network namespace (/proc/net/unix). */
  engineInThisNetwork: boolean;
  /** An engine answers at the unix socket. */
  engineAnswers: boolean;
  publishIp: string;
}

/**
 * The address testcontainers must use for the ports the engine publishes, when it
 * would guess wrong. Inside a container (/.dockerenv) testcontainers takes the bridge
 * gateway for the host; that is right when the engine is the host's, and wrong when the
 * engine runs in this very container's network (a private dockerd, Docker-in-Docker):
 * its ports are published on 127.0.0.1 here. Returns the value to set, or undefined to
 * leave testcontainers alone; throws when neither can work. Pure.
 */
export function hostOverrideFor(f: HostFacts): string | undefined {
  // A tcp:// engine: testcontainers uses its host name, in a container or not.
  if (f.override !== undefined || !f.inContainer || !f.dockerHost.startsWith('unix://')) return undefined;
  if (f.engineInThisNetwork) return f.publishIp === '0.0.0.0' ? '127.0.0.1' : f.publishIp;
  // No engine at all is a failure of its own, named by connectToEngine().
  if (f.publishIp === '0.0.0.0' || !f.engineAnswers) return undefined;
  throw new StackStartError(
    `The suite runs in a container (/.dockerenv) and the Docker engine at ${f.dockerHost} is not in this container's network, ` +
      `so the ports it publishes on ${f.publishIp} cannot be reached from here. Fix: SUITE_DOCKER_PUBLISH_IP=0.0.0.0 ` +
      '(testcontainers then reaches them through the bridge gateway), or TESTCONTAINERS_HOST_OVERRIDE=<the address where the engine\'s published ports answer>.',
  );
}

/** Whether /proc/net/unix (its text) has a listening socket at `path`. Pure. */
export function unixSocketListens(procNetUnix: string, path: string): boolean {
  // Num RefCount Protocol Flags Type St Inode Path; flag 00010000 is __SO_ACCEPTCON (listening).
  return procNetUnix.split('\n').some((line) => {
    const fields = line.trim().split(/\s+/);
    return fields.length >= 8 && fields.slice(7).join(' ') === path && (parseInt(fields[3]!, 16) & 0x10000) !== 0;
  });
}
