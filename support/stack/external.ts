/**
 * The `external` provider: a stack that is already running somewhere. Every endpoint
 * comes from an environment variable (docs/stack.md, "`external`: an already running stack"). Nothing is started
 * or stopped; a scenario that needs a second proxy (test mode) or PostgreSQL needs the
 * optional variables, and fails with a message naming them when they are missing.
 */
import { tcpGreeting } from '../base/net.js';
import { RUN_BUCKET, StackStartError } from './services.js';
import type { Endpoints, ProxyInstance, ProxyOptions, RunningProxyOptions, ServiceTiming, StackProvider } from './types.js';

export const EXTERNAL_REQUIRED = [
  'EXTERNAL_PROXY_URL',
  'EXTERNAL_PROXY_TOKEN',
  'EXTERNAL_MAILPIT_URL',
  'EXTERNAL_SMTP_HOST',
  'EXTERNAL_SMTP_PORT',
  'EXTERNAL_IMAP_HOST',
  'EXTERNAL_IMAP_PORT',
  'EXTERNAL_IMAP_PASSWORD',
  'EXTERNAL_S3_ENDPOINT',
  'EXTERNAL_S3_ACCESS_KEY',
  'EXTERNAL_S3_SECRET_KEY',
] as const;

function port(env: NodeJS.ProcessEnv, name: string): number {
  const value = Number(env[name]);
  if (!Number.isInteger(value) || value <= 0 || value > 65535) throw new StackStartError(`${name}=${env[name]} is not a TCP port`);
  return value;
}

/** Reads the endpoints of an external stack from the environment. Pure; unit-tested. */
export function externalEndpoints(env: NodeJS.ProcessEnv): Endpoints {
  const missing = EXTERNAL_REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new StackStartError(`STACK=external needs these environment variables: ${missing.join(', ')} (see docs/stack.md, "external: an already running stack").`);
  }
  const imapPort = port(env, 'EXTERNAL_IMAP_PORT');
  return {
    proxy: { baseUrl: env.EXTERNAL_PROXY_URL!.replace(/\/$/, ''), token: env.EXTERNAL_PROXY_TOKEN! },
    mailpit: {
      apiUrl: env.EXTERNAL_MAILPIT_URL!.replace(/\/$/, ''),
      smtpForProxy: { host: env.EXTERNAL_SMTP_HOST!, port: port(env, 'EXTERNAL_SMTP_PORT') },
    },
    imap: {
      host: env.EXTERNAL_IMAP_HOST!,
      port: imapPort,
      password: env.EXTERNAL_IMAP_PASSWORD!,
      forProxy: {
        host: env.EXTERNAL_IMAP_HOST_FOR_PROXY ?? env.EXTERNAL_IMAP_HOST!,
        port: env.EXTERNAL_IMAP_PORT_FOR_PROXY ? port(env, 'EXTERNAL_IMAP_PORT_FOR_PROXY') : imapPort,
      },
    },
    s3: {
      endpoint: env.EXTERNAL_S3_ENDPOINT!,
      region: env.EXTERNAL_S3_REGION ?? 'us-east-1',
      accessKeyId: env.EXTERNAL_S3_ACCESS_KEY!,
      secretAccessKey: env.EXTERNAL_S3_SECRET_KEY!,
      endpointForProxy: env.EXTERNAL_S3_ENDPOINT_FOR_PROXY ?? env.EXTERNAL_S3_ENDPOINT!,
      bucket: env.EXTERNAL_S3_BUCKET ?? RUN_BUCKET,
    },
    partners: {
      listenHost: env.EXTERNAL_CALLBACK_LISTEN_HOST ?? '127.0.0.1',
      hostForProxy: env.EXTERNAL_CALLBACK_HOST_FOR_PROXY ?? '127.0.0.1',
    },
  };
}

/** A service the suite itself connects to, and the variable that says where. */
export interface ServiceAddress {
  service: string;
  variable: string;
  address: string;
  host: string;
  port: number;
}

function fromUrl(service: string, variable: string, url: string): ServiceAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StackStartError(`${variable}=${url} is not a URL`);
  }
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  return { service, variable, address: url, host: parsed.hostname.replace(/^\[|\]$/g, ''), port };
}

/**
 * The services of an external stack that the suite connects to itself. The SMTP sink,
 * PostgreSQL and the *_FOR_PROXY addresses are the proxy's business: they may only be
 * reachable from where the proxy runs, so they are not checked from here.
 */
export function servicesToReach(env: NodeJS.ProcessEnv): ServiceAddress[] {
  const e = externalEndpoints(env);
  const services = [
    fromUrl('the proxy', 'EXTERNAL_PROXY_URL', e.proxy.baseUrl),
    fromUrl('the Mailpit API', 'EXTERNAL_MAILPIT_URL', e.mailpit.apiUrl),
    { service: 'the IMAP server', variable: 'EXTERNAL_IMAP_HOST, EXTERNAL_IMAP_PORT', address: `${e.imap.host}:${e.imap.port}`, host: e.imap.host, port: e.imap.port },
    fromUrl('the S3 store', 'EXTERNAL_S3_ENDPOINT', e.s3.endpoint),
  ];
  if (env.EXTERNAL_TESTMODE_PROXY_URL) services.push(fromUrl('the test-mode proxy', 'EXTERNAL_TESTMODE_PROXY_URL', env.EXTERNAL_TESTMODE_PROXY_URL));
  return services;
}

/** How long a service of an external stack has to accept a TCP connection. */
export const REACH_TIMEOUT_MS = 3000;

export type Probe = (host: string, port: number) => Promise<unknown>;
const tcpConnect: Probe = (host, port) => tcpGreeting(host, port, false, REACH_TIMEOUT_MS);

/** Tries every service at once; resolves with one line per service that does not answer. */
export async function unreachableServices(services: ServiceAddress[], probe: Probe = tcpConnect): Promise<string[]> {
  const outcomes = await Promise.all(
    services.map(async (s) => {
      try {
        await probe(s.host, s.port);
        return undefined;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return `${s.service} at ${s.address} (${s.variable}): ${reason}`;
      }
    }),
  );
  return outcomes.filter((line): line is string => line !== undefined);
}

/** The one error of an external stack whose services do not all answer. */
export function unreachableError(lines: string[]): StackStartError {
  return new StackStartError(
    `STACK=external: ${lines.length === 1 ? 'a service does' : `${lines.length} services do`} not answer, so no scenario can run:\n` +
      lines.map((l) => `  - ${l}`).join('\n') +
      '\nStart the service, or correct the EXTERNAL_* variable that names it (docs/stack.md).',
  );
}

class ExternalProxy implements ProxyInstance {
  constructor(
    readonly endpoint: { baseUrl: string; token: string },
    readonly options: RunningProxyOptions,
  ) {}
  async restart(): Promise<void> {
    throw new StackStartError('STACK=external cannot restart the proxy: it does not own the process.');
  }
  async stop(): Promise<void> {
    // Not ours to stop.
  }
  logTail(): string {
    return '(the external provider has no access to the proxy log)';
  }
}

export class ExternalProvider implements StackProvider {
  readonly name = 'external' as const;
  readonly timings: ServiceTiming[] = [];
  private main: ExternalProxy | undefined;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  get mainProxy(): ProxyInstance {
    if (!this.main) throw new Error('the external stack has not been started');
    return this.main;
  }

  async start(): Promise<Endpoints> {
    const endpoints = externalEndpoints(this.env);
    this.main = new ExternalProxy(endpoints.proxy, { testMode: false, startActive: true, label: 'main' });
    return endpoints;
  }

  /** Checked once per test process, before any scenario: one error for every service that does not answer. */
  async checkReachable(probe?: Probe): Promise<void> {
    const lines = await unreachableServices(servicesToReach(this.env), probe);
    if (lines.length > 0) throw unreachableError(lines);
  }

  async startProxy(options: ProxyOptions): Promise<ProxyInstance> {
    const ownDatabaseOrRetries = options.database !== undefined || options.retryDelays !== undefined || options.releaseRetry === true || options.environment !== undefined
      || options.defaultPriority !== undefined || options.reportRetentionSeconds !== undefined || options.defaultSmtp !== undefined;
    if (options.testMode && !ownDatabaseOrRetries && this.env.EXTERNAL_TESTMODE_PROXY_URL && this.env.EXTERNAL_TESTMODE_PROXY_TOKEN) {
      return new ExternalProxy(
        { baseUrl: this.env.EXTERNAL_TESTMODE_PROXY_URL.replace(/\/$/, ''), token: this.env.EXTERNAL_TESTMODE_PROXY_TOKEN },
        { testMode: true, startActive: options.startActive ?? true, label: options.label ?? 'test-mode' },
      );
    }
    throw new StackStartError(
      `STACK=external cannot start a proxy with ${JSON.stringify(options)}. For test-mode scenarios set EXTERNAL_TESTMODE_PROXY_URL and EXTERNAL_TESTMODE_PROXY_TOKEN to a proxy started with test_mode=True; a proxy on a database of its own or with other retry delays or instance settings (persistence and @db scenarios, an instance default priority, a report retention) needs the local provider.`,
    );
  }

  async startSink(options: { label: string }): Promise<never> {
    throw new StackStartError(
      `STACK=external cannot start a further mail sink ("${options.label}"): scenarios that need their own sink (outages, refused recipients, TLS) need the local provider.`,
    );
  }

  async postgresDatabase(): Promise<string> {
    if (this.env.EXTERNAL_PG_URL) return this.env.EXTERNAL_PG_URL;
    throw new StackStartError('STACK=external has no PostgreSQL: set EXTERNAL_PG_URL to an empty database for @db scenarios.');
  }

  async postgresQuery(): Promise<never> {
    throw new StackStartError('STACK=external cannot run SQL on its PostgreSQL: the @own-proxy-on-postgresql scenarios need the local or the docker provider.');
  }

  async runWithSutPython(script: string): Promise<never> {
    throw new StackStartError(`STACK=external cannot run ${script} with the SUT's Python: it does not own the proxy's machine.`);
  }

  async operatorMachine(label: string): Promise<never> {
    throw new StackStartError(`STACK=external cannot give an operator a machine with the release installed ("${label}"): the installation and command-line scenarios (@front-door) need the local or the docker provider.`);
  }

  proxyFileDir(): never {
    throw new StackStartError("STACK=external cannot give the proxy a file: the proxy's file system is not this machine's. File-system attachments need the local or the docker provider.");
  }

  fakeTimeLibrary(): never {
    throw new StackStartError("STACK=external cannot start a proxy with a controlled clock (@controlled-clock): it starts no proxy. Use the local or the docker provider.");
  }

  proxyWrittenDir(): never {
    throw new StackStartError("STACK=external cannot read what the proxy writes: the proxy's file system is not this machine's. Local-disk storage of large files needs the local or the docker provider.");
  }

  logTails(): { service: string; tail: string }[] {
    return [];
  }

  async stop(): Promise<void> {
    // Nothing was started.
  }
}
