/**
 * What the suite knows of docker-compose.yml, as pure functions: service names, container
 * ports, the variables compose interpolates for a run, the launcher's arguments, how the
 * suite and the proxy container reach each published port. Used by the `docker` provider
 * (support/stack/docker.ts); unit-tested in test/docker.test.ts without an engine.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { ROOT, type SuiteConfig } from '../base/config.js';
import { randomSecret } from '../base/secrets.js';
import { RUN_BUCKET, StackStartError } from './services.js';
import type { Endpoints, HostPort, RunningProxyOptions } from './types.js';

export const COMPOSE_FILE = 'docker-compose.yml';
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

/** How the provider waits for each container, after compose's own health checks. */
export interface WaitPlan {
  /** The compose health check must report healthy. */
  healthCheck: true;
  /** And this HTTP path must answer 200 through the published port, from the test process. */
  http?: { path: string; port: number };
}

export const WAIT_PLAN: Readonly<Record<string, WaitPlan>> = {
  [containerName('mailpit')]: { healthCheck: true, http: { path: '/readyz', port: PORTS.mailpitHttp } },
  [containerName('imap')]: { healthCheck: true },
  [containerName('minio')]: { healthCheck: true, http: { path: '/minio/health/ready', port: PORTS.minio } },
  [containerName('proxy')]: { healthCheck: true, http: { path: '/health', port: PORTS.proxy } },
  [containerName('postgres')]: { healthCheck: true },
};

/** The host name under which the proxy container reaches the Docker host. */
export const HOST_FROM_CONTAINERS = 'host.docker.internal';

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

/** The variables docker-compose.yml interpolates, for one run. Pure. */
export function composeVariables(config: SuiteConfig, secrets: DockerSecrets, env: NodeJS.ProcessEnv, sutVersion: string): Record<string, string> {
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
    SUT_VERSION: sutVersion,
  };
}

/** The launcher's arguments (after the image's entrypoint) for a proxy container. Pure. */
export function launcherArgs(config: SuiteConfig, options: RunningProxyOptions, db = '/data/proxy.db'): string[] {
  const p = config.proxy;
  const args = [
    '--db', db,
    '--send-loop-interval', String(p.sendLoopInterval),
    '--retry-delays', p.retryDelays.join(','),
    '--max-retries', String(p.maxRetries),
  ];
  if (options.testMode) args.push('--test-mode');
  if (!options.startActive) args.push('--no-start-active');
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
  callbackReceiver: Endpoints['callbackReceiver'],
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
    callbackReceiver,
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
 * Where the test process's callback receiver listens so that the proxy container can
 * reach it as host.docker.internal. `hostGatewayIp` is what that name resolves to
 * inside the container (Docker's host-gateway: on Linux the docker0 bridge address,
 * which is an address of this machine); listening there keeps the receiver off other
 * networks. When it is not an address of this machine (Docker Desktop, whose
 * host.docker.internal forwards to the host's loopback), 127.0.0.1.
 * SUITE_CALLBACK_LISTEN_HOST overrides (for example 0.0.0.0). Pure.
 */
export function callbackReceiverFor(
  hostGatewayIp: string | undefined,
  localAddresses: string[],
  env: NodeJS.ProcessEnv,
): Endpoints['callbackReceiver'] {
  const override = env.SUITE_CALLBACK_LISTEN_HOST?.trim();
  if (override) return { listenHost: override, hostForProxy: HOST_FROM_CONTAINERS };
  if (hostGatewayIp && localAddresses.includes(hostGatewayIp)) return { listenHost: hostGatewayIp, hostForProxy: HOST_FROM_CONTAINERS };
  return { listenHost: '127.0.0.1', hostForProxy: HOST_FROM_CONTAINERS };
}

export function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}
