/**
 * Runs for test/run-page.test.ts and test/run-integrity.test.ts: real cucumber-js (or
 * scripts/acceptance.sh) on the fixture features of test/fixtures/known-defects and
 * test/fixtures/run-report, with the run-report plugin and the ledger's test double, into
 * a reports folder of the test's own. No SUT is needed.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../support/base/config.js';

export const FIXTURE_CONFIG = relative(ROOT, join(ROOT, 'test/fixtures/run-report/cucumber.json'));
export const FIXTURE_LEDGER = join(ROOT, 'test/fixtures/known-defects/known-defects.yaml');

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

export interface RunOptions {
  reports: string;
  env?: NodeJS.ProcessEnv;
  /** Called once the process is started (to signal it, for instance). */
  started?: (child: ChildProcess) => void;
  uid?: number;
  gid?: number;
}

/** A reports folder of the test's own. */
export function scratchReports(name: string): string {
  return mkdtempSync(join(tmpdir(), `gmp-${name}-`));
}

function run(command: string, args: string[], options: RunOptions): Promise<Run> {
  const spawnOptions: SpawnOptions = {
    cwd: ROOT,
    env: {
      ...process.env,
      ACCEPTANCE_REPORTS_DIR: options.reports,
      ACCEPTANCE_SKIP_INSTALL: '1',
      KNOWN_DEFECTS_LEDGER: FIXTURE_LEDGER,
      // The fixture features need no workers of their own (the real suite runs 6).
      ACCEPTANCE_WORKERS: '0',
      FORCE_COLOR: '0',
      NO_COLOR: '1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  };
  if (options.uid !== undefined) spawnOptions.uid = options.uid;
  if (options.gid !== undefined) spawnOptions.gid = options.gid;
  const child = spawn(command, args, spawnOptions);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  options.started?.(child);
  return new Promise((done) => child.on('close', (code, signal) => done({ code, signal, out })));
}

/** Plain `cucumber-js` (the fixture profile unless args name another --config). */
export function cucumber(args: string[], options: RunOptions): Promise<Run> {
  const withConfig = args.includes('--config') ? args : ['--config', FIXTURE_CONFIG, ...args];
  return run(join(ROOT, 'node_modules/.bin/cucumber-js'), withConfig, options);
}

/** `npm run acceptance -- <args>` (the fixture profile unless args name another --config or profile). */
export function acceptance(args: string[], options: RunOptions): Promise<Run> {
  const withConfig = args.includes('--config') || args.includes('-p') ? args : ['--config', FIXTURE_CONFIG, ...args];
  return run('bash', [join(ROOT, 'scripts/acceptance.sh'), ...withConfig], options);
}

/** The run folder reports/latest points at. */
export function latest(reports: string): string {
  return resolve(reports, readlinkSync(join(reports, 'latest')));
}

export function readJson(path: string): Record<string, any> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
}

/** Waits until a run other than `before` is the latest and has started a scenario (a testCaseStarted message). */
export async function scenarioStarted(reports: string, before: string | undefined, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dir = existsSync(join(reports, 'latest')) ? latest(reports) : undefined;
    const messages = dir === undefined ? '' : join(dir, 'cucumber-messages.ndjson');
    if (dir !== undefined && dir !== before && existsSync(messages) && readFileSync(messages, 'utf8').includes('"testCaseStarted"')) return dir;
    await sleep(100);
  }
  throw new Error(`no new run started a scenario within ${timeoutMs} ms in ${reports}`);
}
