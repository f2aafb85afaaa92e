/**
 * The suite's settings, read once from the environment, with defaults that suit the
 * local stack. Unit-tested in test/config.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPORTS_DIR = join(ROOT, 'reports');
export const STACK_DIR = join(ROOT, '.stack');
/** The manifest of the default SUT (versions.json). A one-off SUT has a manifest of its own. */
export const INSTALLED_MANIFEST = join(STACK_DIR, 'installed.json');

export interface InstalledStack {
  /** wheel: the folder pip installed the release's wheel into (its bin/mail-proxy), absent in manifests of older installs. */
  sut: { key: string; version: string; description: string; src: string; python: string; wheel?: string };
  launcher: string;
  mailpit: string;
  minio: string;
  dovecot: string;
  postgres: { bin: string };
}

export interface ProxySettings {
  /** ProxyConfig.timing.send_loop_interval, seconds. */
  sendLoopInterval: number;
  /** ProxyConfig.retry.delays, seconds. */
  retryDelays: number[];
  /** ProxyConfig.retry.max_retries. */
  maxRetries: number;
}

export interface SuiteConfig {
  proxy: ProxySettings;
  /** Deadline for a message to reach the sink once the proxy may send it. */
  deliveryTimeoutMs: number;
  /** Deadline for a service of the local stack to become ready. */
  serviceStartTimeoutMs: number;
  /**
   * How the local stack starts a proxy whose environment is the standard one: `fork`, from
   * the fork server that has imported the SUT (support/stack/fork-server.ts), or `exec`, a
   * new Python process each time. SUITE_PROXY_START; `fork` unless it says `exec`.
   */
  proxyStart: 'fork' | 'exec';
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name}=${raw} is not a positive number`);
  }
  return value;
}

function numberList(env: NodeJS.ProcessEnv, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const values = raw.split(',').map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v <= 0)) {
    throw new Error(`${name}=${raw} must be a comma-separated list of positive whole seconds, e.g. 1,2`);
  }
  return values;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SuiteConfig {
  const proxy: ProxySettings = {
    sendLoopInterval: number(env, 'SUITE_SEND_LOOP_INTERVAL', 0.1),
    retryDelays: numberList(env, 'SUITE_RETRY_DELAYS', [1, 2]),
    maxRetries: number(env, 'SUITE_MAX_RETRIES', 2),
  };
  return {
    proxy,
    deliveryTimeoutMs: number(env, 'SUITE_DELIVERY_TIMEOUT_MS', 10_000),
    serviceStartTimeoutMs: number(env, 'SUITE_SERVICE_START_TIMEOUT_MS', 20_000),
    proxyStart: proxyStart(env),
  };
}

function proxyStart(env: NodeJS.ProcessEnv): 'fork' | 'exec' {
  const raw = env.SUITE_PROXY_START?.trim();
  if (!raw) return 'fork';
  if (raw === 'fork' || raw === 'exec') return raw;
  throw new Error(`SUITE_PROXY_START=${raw} must be fork or exec`);
}

/** The SUT version versions.json names: what a run tests when nothing else is asked for. */
export function defaultSutVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'versions.json'), 'utf8')) as { sut: { version: string } }).sut.version;
}

/** The releases SUT_VERSION may name (versions.json, sut.supported). */
export function supportedSutVersions(): string[] {
  return (JSON.parse(readFileSync(join(ROOT, 'versions.json'), 'utf8')) as { sut: { supported: string[] } }).sut.supported;
}

/**
 * The refusal of a SUT_VERSION the suite does not run, in one line (the same as
 * scripts/install.sh's), or undefined. SUT_SOURCE, when set, wins over SUT_VERSION.
 */
export function sutVersionRefusal(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const version = env.SUT_VERSION?.trim();
  if (!version || env.SUT_SOURCE?.trim()) return undefined;
  const supported = supportedSutVersions();
  if (supported.includes(version)) return undefined;
  return `SUT_VERSION=${version} is not a release this suite runs; it runs genro-mail-proxy ${supported.join(', ')} (versions.json, sut.supported; see docs/stack.md, 'Another version of the SUT')`;
}

/** Which manifest describes the SUT this environment asks for, and why. */
export interface ManifestChoice {
  /** Undefined when SUT_SOURCE names a tree no manifest describes (not installed). */
  path: string | undefined;
  /** Why this SUT: the variable that asked for it, or the default. */
  why: string;
  /** The one-off variable, to repeat in a hint ("SUT_SOURCE=/x"), or undefined for the default. */
  oneOff: string | undefined;
}

/**
 * The manifest of the SUT a run tests. scripts/install.sh writes .stack/installed.json for
 * the default SUT only; SUT_SOURCE or another SUT_VERSION gets a manifest of its own
 * (.stack/installed-<key>.json), chosen here by the same variable. So a one-off
 * `SUT_SOURCE=/path npm run acceptance` does not change what a later plain run tests.
 */
export function installedManifest(env: NodeJS.ProcessEnv = process.env, stackDir = STACK_DIR): ManifestChoice {
  const source = env.SUT_SOURCE?.trim();
  if (source) {
    const src = join(resolve(source), 'src');
    const oneOff = `SUT_SOURCE=${source}`;
    const files = existsSync(stackDir) ? readdirSync(stackDir).filter((f) => /^installed-local-.*\.json$/.test(f)).sort() : [];
    const found = files.map((f) => join(stackDir, f)).find((path) => readManifest(path)?.sut.src === src);
    return { path: found, why: `${oneOff} (this run only)`, oneOff };
  }
  const version = env.SUT_VERSION?.trim();
  if (version && version !== defaultSutVersion()) {
    return { path: join(stackDir, `installed-pypi-${version}.json`), why: `SUT_VERSION=${version} (this run only)`, oneOff: `SUT_VERSION=${version}` };
  }
  return { path: join(stackDir, 'installed.json'), why: 'the default SUT (versions.json)', oneOff: undefined };
}

/** A manifest, if there is one at `path` (undefined: no manifest was found). */
export function readManifest(path: string | undefined): InstalledStack | undefined {
  if (path === undefined || !existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as InstalledStack;
}

/** The installed local stack: by default that of the SUT this environment asks for (installedManifest). */
export function readInstalledStack(path?: string): InstalledStack | undefined {
  return readManifest(path ?? installedManifest().path);
}

/**
 * What a run tests and why, in words: printed when a stack opens and shown on the run's
 * page and verdict. `provider` is the stack provider when known (support/stack/select.ts);
 * otherwise STACK decides, as far as the environment tells.
 */
export function describeSut(env: NodeJS.ProcessEnv = process.env, provider?: string, stackDir = STACK_DIR): { description: string; why: string } {
  const stack = provider ?? env.STACK?.trim();
  if (stack === 'external' || (!stack && env.EXTERNAL_PROXY_URL)) {
    return { description: `the proxy at ${env.EXTERNAL_PROXY_URL ?? '(EXTERNAL_PROXY_URL is not set)'}`, why: `${stack ? 'STACK=external' : 'EXTERNAL_PROXY_URL is set'}: whatever version runs there` };
  }
  const version = env.SUT_VERSION?.trim() || defaultSutVersion();
  if (stack === 'docker') {
    return { description: `genro-mail-proxy ${version} (Docker image, PyPI sdist)`, why: `${provider ? 'Docker mode' : 'STACK=docker'}, ${env.SUT_VERSION?.trim() ? `SUT_VERSION=${version}` : 'the default SUT (versions.json)'}` };
  }
  const choice = installedManifest(env, stackDir);
  const installed = readManifest(choice.path);
  if (!installed || choice.path === undefined) {
    return { description: `genro-mail-proxy (${choice.oneOff ?? version}: not installed)`, why: choice.why };
  }
  const from = `from .stack/${basename(choice.path)}`;
  if (choice.oneOff === undefined && installed.sut.key !== `pypi-${version}`) {
    // Written by an install.sh from before one-off manifests existed.
    return { description: installed.sut.description, why: `${from}, which an earlier one-off install left describing another SUT than versions.json's; \`npm run setup\` reinstalls the default` };
  }
  return { description: installed.sut.description, why: `${choice.why}, ${from}` };
}
