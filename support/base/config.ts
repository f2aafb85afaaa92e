/**
 * The suite's settings, read once from the environment, with defaults that suit the
 * local stack. Unit-tested in test/config.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPORTS_DIR = join(ROOT, 'reports');
export const INSTALLED_MANIFEST = join(ROOT, '.stack', 'installed.json');

export interface InstalledStack {
  sut: { key: string; version: string; description: string; src: string; python: string };
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
  };
}

export function readInstalledStack(path = INSTALLED_MANIFEST): InstalledStack | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as InstalledStack;
}
