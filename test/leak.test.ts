/**
 * No stack process outlives a Cucumber run: after a passing run, after a failing run,
 * and after SIGINT in the middle of a run (what Ctrl-C sends to the process group).
 *
 * Each run gets a TMPDIR of its own, so its stack's data dirs are under it. A leftover
 * is any process whose command line or working directory is under that TMPDIR (Dovecot's
 * children chdir into its base dir, which is there too), or a leftover stack dir.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ROOT } from '../support/base/config.js';
import { eventually } from '../support/base/eventually.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function processesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // not readable
      }
      if (cmdline.includes(dir) || cwd.startsWith(dir)) found.push(`${pid}: ${cmdline.trim()} (cwd ${cwd})`);
    } catch {
      // gone
    }
  }
  return found;
}

interface Run {
  /** Stack processes seen under the run's TMPDIR at the moment of the interrupt. */
  seenBeforeInterrupt: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  tmp: string;
}

function cucumber(args: string[], interruptWhen?: RegExp, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const tmp = mkdtempSync(join(tmpdir(), 'leak-test-'));
  dirs.push(tmp);
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/cucumber-js'), [...args, '--format', 'summary'], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp, ...env },
      detached: true, // its own process group, as a terminal's foreground job would be
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let interrupted = false;
    let seenBeforeInterrupt: string[] = [];
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (interruptWhen && !interrupted && interruptWhen.test(output)) {
        interrupted = true;
        seenBeforeInterrupt = processesUnder(tmp);
        process.kill(-child.pid!, 'SIGINT');
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code, signal) => resolve({ code, signal, output, tmp, seenBeforeInterrupt }));
  });
}

async function assertNothingLeft(run: Run): Promise<void> {
  // Processes that got SIGKILL may take a moment to be reaped.
  await eventually(
    { description: `no stack process or stack dir left under ${run.tmp}`, timeoutMs: 5000, intervalMs: 100 },
    () => ({ processes: processesUnder(run.tmp), dirs: readdirSync(run.tmp).filter((d) => d.startsWith('gmp-stack-')) }),
    (left) => left.processes.length === 0 && left.dirs.length === 0,
  );
}

test('a passing run leaves no process behind', async () => {
  const run = await cucumber(['--tags', '@delivery', '--name', 'One message is delivered']);
  assert.equal(run.code, 0, run.output.slice(-2000));
  await assertNothingLeft(run);
});

test('a failing run leaves no process behind', async () => {
  // A known-defect scenario judged against an empty ledger fails (tagged, but no entry): Cucumber exits 1.
  const ledger = join(mkdtempSync(join(tmpdir(), 'leak-ledger-')), 'known-defects.yaml');
  writeFileSync(ledger, 'defects: []\n');
  const run = await cucumber(['--tags', '@delivery', '--name', 'carries a Date and a Message-ID'], undefined, { KNOWN_DEFECTS_LEDGER: ledger });
  assert.equal(run.code, 1, run.output.slice(-2000));
  assert.match(run.output, /1 scenario \(1 failed\)/);
  await assertNothingLeft(run);
});

test('SIGINT in the middle of a run leaves no process behind', async () => {
  const run = await cucumber(['--tags', '@delivery'], /local stack ready/);
  assert.ok(run.code === 130 || run.signal === 'SIGINT', `exit ${run.code} ${run.signal}: ${run.output.slice(-1000)}`);
  // The detector works: while the stack ran, it saw Mailpit, Dovecot, MinIO and the proxy.
  assert.ok(run.seenBeforeInterrupt.length >= 4, `seen before the interrupt: ${run.seenBeforeInterrupt.join('\n')}`);
  await assertNothingLeft(run);
});
