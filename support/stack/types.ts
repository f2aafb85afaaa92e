/**
 * The contract between the suite and a running stack. Every provider (local native
 * processes, an external stack, Docker containers) hands the world objects the same
 * endpoints, so steps never know where the services run.
 */

export interface ProxyEndpoint {
  /** Base URL of the proxy's HTTP API, as the suite reaches it. */
  baseUrl: string;
  /** The global API token (X-API-Token) of this proxy instance. */
  token: string;
}

export interface HostPort {
  host: string;
  port: number;
}

export interface Endpoints {
  proxy: ProxyEndpoint;
  mailpit: {
    /** Mailpit's REST API base URL, as the suite reaches it. */
    apiUrl: string;
    /** The SMTP sink as the *proxy* reaches it: what goes into an account. */
    smtpForProxy: HostPort;
  };
  imap: HostPort & {
    /** Any user name logs in with this password. */
    password: string;
    /** The IMAP server as the proxy reaches it (for bounce configuration). */
    forProxy: HostPort;
  };
  s3: {
    endpoint: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    /** The S3 endpoint as the proxy reaches it. */
    endpointForProxy: string;
    /** A bucket that exists once the stack is up (the run's bucket). */
    bucket: string;
  };
  /**
   * Where the suite's own servers in the test process (support/partners: the callback
   * receiver, the file server, the refusing SMTP server; and a mail sink started on a
   * port an account already points at) listen so that the proxy can reach them, and the
   * host name the proxy uses for them. Local: 127.0.0.1 for both. Docker: the gateway
   * address of the compose network, which is an address of this machine that every
   * container of the run reaches (docs/stack.md, "Servers in the test process").
   */
  partners: {
    listenHost: string;
    hostForProxy: string;
  };
}

export interface ProxyOptions {
  /** Park both loops until POST /instance/run_now (ProxyConfig.test_mode). */
  testMode?: boolean;
  /** false reproduces the release default, where delivery reports are never sent. */
  startActive?: boolean;
  /** A free-text label for logs. */
  label?: string;
  /**
   * The database: a SQLite file path or a postgresql:// URL (from postgresDatabase()).
   * Default: a SQLite file of the proxy's own in the stack's temp dir.
   */
  database?: string;
  /** ProxyConfig.retry.delays in seconds; default: the suite's (SUITE_RETRY_DELAYS). */
  retryDelays?: number[];
  /**
   * ProxyConfig.timing.send_loop_interval in seconds of the proxy's clock; default: the
   * suite's (SUITE_SEND_LOOP_INTERVAL). A proxy on a clock that runs faster gets it times
   * the speed, so that it looks for work as often in real time as the others.
   */
  sendLoopInterval?: number;
  /** ProxyConfig.default_priority, the instance default (0-3); default: the release's (2). */
  defaultPriority?: number;
  /** ProxyConfig.timing.report_retention_seconds; default: the release's (7 days). */
  reportRetentionSeconds?: number;
  /** The instance's default SMTP server, for messages that name no account (plain SMTP, no login); default: none. */
  defaultSmtp?: HostPort;
  /**
   * Keep the release's own retry settings (ProxyConfig's default RetryConfig) instead of the
   * suite's short ones: for scenarios about the documented defaults. retryDelays is then unused.
   */
  releaseRetry?: boolean;
  /**
   * Further environment variables of the proxy process, for scenarios about the settings the
   * docs give as environment variables (GMP_CLIENT_SYNC_URL, ...).
   */
  environment?: Record<string, string>;
}

/** The launcher's options for the instance settings a scenario may choose (stack/launcher.py). Pure. */
export function instanceSettingArgs(options: Pick<ProxyOptions, 'defaultPriority' | 'reportRetentionSeconds' | 'defaultSmtp'>): string[] {
  const args: string[] = [];
  if (options.defaultSmtp !== undefined) args.push('--default-smtp', `${options.defaultSmtp.host}:${options.defaultSmtp.port}`);
  if (options.defaultPriority !== undefined) args.push('--default-priority', String(options.defaultPriority));
  if (options.reportRetentionSeconds !== undefined) args.push('--report-retention-seconds', String(options.reportRetentionSeconds));
  return args;
}

/** The options a proxy runs with: the flags always, database and retries where the provider knows them. */
export type RunningProxyOptions = ProxyOptions & Required<Pick<ProxyOptions, 'testMode' | 'startActive' | 'label'>>;

/** One running proxy process (or, for the external provider, one configured URL). */
export interface ProxyInstance {
  readonly endpoint: ProxyEndpoint;
  readonly options: RunningProxyOptions;
  /** Stops and starts the proxy on the same database and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  logTail(lines?: number): string;
}

export interface SinkOptions {
  /** A name for logs. */
  label: string;
  /**
   * Listen for SMTP on this port of the partners' address (Endpoints.partners), for
   * example one an account already points at; the sink's smtpForProxy is then
   * partners.hostForProxy and this port.
   */
  smtpPort?: number;
  /** Mailpit --smtp-allowed-recipients: RCPT TO of other addresses gets 550. */
  allowedRecipients?: string;
}

/** A further Mailpit, for faults that are global to a Mailpit instance. */
export interface SinkInstance {
  readonly apiUrl: string;
  readonly smtpForProxy: HostPort;
  stop(): Promise<void>;
}

export interface ServiceTiming {
  service: string;
  ms: number;
}

/**
 * How an operator runs the release's own command. `sources`: the `mail-proxy` console
 * script of the SUT's sources (the entry point pyproject.toml names, core.mail_proxy:main,
 * with the sources on the path, as the suite installs the SUT); `wheel`: the `mail-proxy`
 * command pip installed from the release's wheel, without the sources on the path;
 * `image`: the command of the release's Dockerfile (`uvicorn core.mail_proxy.server:app`)
 * with the package pip installed (local stack only: see OperatorMachine.startImage).
 */
export type OperatorInstall = 'sources' | 'wheel' | 'image';

export interface OperatorCommand {
  install: OperatorInstall;
  /** The arguments after `mail-proxy`. */
  args: string[];
  /** Further environment (the documented GMP_* settings). */
  env?: Record<string, string>;
  /** Text typed on its standard input, which is then closed. */
  stdin?: string;
  /**
   * The release's default data folder, /data, as the command sees it: `own`, an empty
   * folder of its own (where the release's defaults keep the database); `read-only`, a
   * folder nothing can be written to (settings that name another database must not need
   * it). Undefined: the machine's /data as it is.
   */
  dataFolder?: 'own' | 'read-only';
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A long-running command an operator started (`mail-proxy serve`). */
export interface RunningCommand {
  /** Undefined while it runs; else how it ended. */
  exitNote(): Promise<string | undefined>;
  /** What it printed so far (standard output and error). */
  output(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The machine on which an operator installs and runs the release, as users do: the
 * test machine itself (local), or a container of the SUT image (Docker mode), with a
 * home folder of its own. It reaches the stack's services at the addresses the proxy
 * uses (Endpoints: smtpForProxy, partners.hostForProxy).
 */
export interface OperatorMachine {
  /** The operator's home folder there: the docs keep instance data in ~/.mail-proxy/. */
  readonly home: string;
  /** The release's source package (the sdist) unpacked there. */
  readonly releaseFolder: string;
  /** The address a server started there binds so that the suite can reach it. */
  readonly bindHost: string;
  /** A free port there for a server to listen on. */
  port(): Promise<number>;
  /** The base URL at which the suite reaches a port there. */
  url(port: number): string;
  /** Runs `mail-proxy …` to its end, or stops it after timeoutMs (code null). */
  run(command: OperatorCommand, timeoutMs: number): Promise<CommandResult>;
  /** Starts `mail-proxy …` and leaves it running. */
  start(command: OperatorCommand, label: string): Promise<RunningCommand>;
  /**
   * Runs the service as the release's Docker image runs it (its Dockerfile: `pip install .`,
   * a /data volume, `uvicorn core.mail_proxy.server:app` on port 8000), with `settings` in its
   * environment. Docker mode: a container of the image built from that Dockerfile
   * (gmp-acceptance/release, scripts/docker-build.sh). Local: the same command on this
   * machine, with the package pip installed from the release, a /data of its own, and
   * 127.0.0.1 and a free port in place of 0.0.0.0:8000. Returns where the suite reaches it.
   */
  startImage(settings: Record<string, string>): Promise<{ url: string; command: RunningCommand }>;
  /** Writes a file there (a path of that machine), readable by the operator's commands. */
  writeFile(path: string, content: string): Promise<void>;
  /** Whether a file exists there (a path of that machine). */
  fileExists(path: string): Promise<boolean>;
  /** Stops what was started there and removes the machine's files. */
  stop(): Promise<void>;
}

export interface StackProvider {
  readonly name: ProviderName;
  /** Starts (or connects to) the stack and returns its endpoints. */
  start(): Promise<Endpoints>;
  /** The stack's main proxy: settings from the suite config, SQLite database. */
  readonly mainProxy: ProxyInstance;
  /** A further proxy with other settings on a database of its own. The caller stops it. */
  startProxy(options: ProxyOptions): Promise<ProxyInstance>;
  /** A further Mailpit with its own settings. The caller stops it. */
  startSink(options: SinkOptions): Promise<SinkInstance>;
  /**
   * PostgreSQL, started on first use; each call returns a fresh empty database URL,
   * as the proxy reaches it (in Docker mode the host is the compose service `postgres`).
   */
  postgresDatabase(): Promise<string>;
  /**
   * A provider that starts nothing (external) checks here, once, before any scenario,
   * that the services it was given answer; it throws one error naming every one that
   * does not. Providers that start the services know they answer.
   */
  checkReachable?(): Promise<void>;
  /** Runs SQL on a database postgresDatabase() gave; psql's unaligned, tuples-only output (-At). */
  postgresQuery(database: string, sql: string): Promise<string>;
  /**
   * Runs a Python script of this repository (a path relative to its root, e.g.
   * stack/create_pg_schema.py) with the SUT's Python and packages, where the proxy runs
   * (it reaches what the proxy reaches); returns its standard output.
   */
  runWithSutPython(script: string, args: string[]): Promise<string>;
  /**
   * A directory the test process writes and every proxy of the stack reads at the same
   * path (file-system attachments). Removed when the stack stops.
   */
  proxyFileDir(): string;
  /**
   * A directory every proxy of the stack can write and the test process reads (files the
   * proxy stores, e.g. large attachments on local-disk storage), with its path as the
   * proxies see it and as the test process sees it. Removed when the stack stops.
   */
  proxyWrittenDir(): WrittenDir;
  /**
   * The path of libfaketime (Debian's libfaketime) where the proxies run, for a proxy whose
   * clock a scenario moves (support/capabilities/controlled-clock.ts): LD_PRELOAD of that proxy.
   */
  fakeTimeLibrary(): string;
  /** A machine for an operator who runs the release's own command. The caller stops it. */
  operatorMachine(label: string): Promise<OperatorMachine>;
  /** How long each service took to become ready. */
  readonly timings: ServiceTiming[];
  /** The tail of each service's log, for evidence. */
  logTails(lines?: number): { service: string; tail: string }[];
  stop(): Promise<void>;
}

/** One directory, by the path the proxies use and the path the test process uses. */
export interface WrittenDir {
  forProxy: string;
  forSuite: string;
}

export const PROVIDER_NAMES = ['local', 'external', 'docker'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];
