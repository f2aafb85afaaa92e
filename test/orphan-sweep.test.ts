/**
 * What a killed run of the local stack leaves is stopped by the next run, and by
 * `npm run acceptance -- --cleanup`, and a live run's stack is never touched
 * (support/stack/run-record.ts).
 *
 *  - A real run, SIGKILLed as a whole process group (what a CI runner does on a timeout)
 *    once its services are up, PostgreSQL and a second proxy included: the next run says
 *    in one line what it stopped, and nothing of the killed run is left (no process, no
 *    listener, no folder).
 *  - `--cleanup` against stand-in stacks: a dead one (a group with a child, a process
 *    that left its group but carries the mark), a live one (this test process owns it), a
 *    dead one's record naming a PID now reused, and a folder without an owner record.
 *
 * Each part has a TMPDIR of its own, so no other run on the machine is looked at.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ROOT } from '../support/base/config.js';
import { eventually } from '../support/base/eventually.js';
import {
  isSameProcess,
  leftovers,
  OWNER_FILE,
  ownerMarker,
  processFacts,
  recordService,
  RUN_MARKER_VARIABLE,
  SERVICES_FILE,
  sweepDeadStacks,
  thisProcess,
  writeOwner,
  type OwnerRecord,
  type ProcessFacts,
  type ServiceRecord,
} from '../support/stack/run-record.js';

const dirs: string[] = [];
const started: ProcessFacts[] = [];
after(async () => {
  for (const p of started) if (isSameProcess(p.pid, p.start)) process.kill(p.pid, 'SIGKILL');
  // A test that failed before the next run swept its killed run leaves that run's services:
  // they are swept here, before their folders go (without the folders they could not be).
  for (const d of dirs) await sweepDeadStacks(d);
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user and reaches its data dir through it
  dirs.push(dir);
  return dir;
}

function stackDirs(tmp: string): string[] {
  return readdirSync(tmp).filter((d) => d.startsWith('gmp-stack-')).map((d) => join(tmp, d));
}

/** The inodes of the TCP sockets in LISTEN state on this machine. */
function listeningInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const rows = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(1) : [];
    for (const row of rows) {
      const cols = row.trim().split(/\s+/);
      if (cols[3] === '0A') inodes.add(cols[9]!);
    }
  }
  return inodes;
}

/** The listening sockets the given processes hold (socket inodes). */
function listenersOf(processes: ProcessFacts[]): Set<string> {
  const listening = listeningInodes();
  const held = new Set<string>();
  for (const p of processes) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${p.pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${p.pid}/fd/${fd}`))?.[1];
        if (inode && listening.has(inode)) held.add(inode);
      } catch {
        // closed meanwhile
      }
    }
  }
  return held;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Cucumber in a process group of its own; SIGKILL to the whole group once `killWhen` shows in its output. */
function cucumber(tmp: string, args: string[], killWhen?: RegExp, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/cucumber-js'), [...args, '--format', 'summary'], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let killed = false;
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (killWhen && !killed && killWhen.test(output)) {
        killed = true;
        process.kill(-child.pid!, 'SIGKILL');
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code, signal) => resolve({ code, signal, output }));
  });
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function services(dir: string): ServiceRecord[] {
  return readFileSync(join(dir, SERVICES_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ServiceRecord);
}

test('a run killed with SIGKILL leaves nothing once the next run has started', async () => {
  const tmp = scratch('orphan-test-');
  // Killed once PostgreSQL and the scenario's own proxy on it are up: every kind of service the local stack starts.
  // Its proxies are executed, not forked: forked ones end with their fork server, by themselves (the next test).
  const killed = await cucumber(tmp, ['features/postgresql.feature', '--name', 'A proxy on PostgreSQL delivers messages'], /postgresql ready[\s\S]*\[stack\] proxy "[^"]*" ready/, { SUITE_PROXY_START: 'exec' });
  assert.equal(killed.signal, 'SIGKILL', killed.output.slice(-2000));

  const [stack, ...others] = stackDirs(tmp);
  assert.ok(stack && others.length === 0, `one stack folder expected in ${tmp}: ${stackDirs(tmp).join(', ')}`);
  const owner = readJson<OwnerRecord>(join(stack, OWNER_FILE));
  const recorded = services(stack);
  assert.deepEqual(
    [...new Set(recorded.map((s) => s.name.replace(/-\d+-.*$/, '')))].sort(),
    ['dovecot', 'mailpit', 'minio', 'postgresql', 'proxy'],
    `recorded: ${recorded.map((s) => s.name).join(', ')}`,
  );
  const left = leftovers(owner, recorded);
  // Each recorded leader, and the children of Dovecot and PostgreSQL in their groups.
  assert.ok(left.length > recorded.length, `left after the kill: ${left.map((p) => p.pid).join(', ')}`);
  for (const s of recorded) assert.ok(left.some((p) => p.pid === s.pid), `${s.name} (${s.pid}) survived the kill and is found`);
  const listeners = listenersOf(left);
  assert.ok(listeners.size >= 7, `listeners left: ${listeners.size}`); // Mailpit 2, Dovecot, MinIO, 2 proxies, PostgreSQL

  const next = await cucumber(tmp, ['--tags', '@delivery', '--name', 'One message is delivered']);
  assert.equal(next.code, 0, next.output.slice(-2000));
  const said = next.output.split('\n').filter((l) => l.includes('that ended runs left'));
  assert.equal(said.length, 1, next.output.slice(-3000));
  const [, count, names] = new RegExp(`^\\[stack\\] local: stopped (\\d+) processes \\(of (.*)\\) and removed 1 folder that ended runs left: ${stack}$`).exec(said[0]!) ?? [];
  assert.ok(Number(count) >= recorded.length && names?.split(', ').sort().join() === recorded.map((s) => s.name).sort().join(), said[0]);

  assert.deepEqual(left.filter((p) => isSameProcess(p.pid, p.start)), [], 'no process of the killed run is left');
  const still = listeningInodes();
  assert.deepEqual([...listeners].filter((inode) => still.has(inode)), [], 'no listener of the killed run is left');
  assert.deepEqual(stackDirs(tmp), [], 'no stack folder is left (the next run removed its own too)');
});

test('a run killed with SIGKILL leaves no fork server and no forked proxy: they end by themselves', async () => {
  const tmp = scratch('orphan-fork-test-');
  const killed = await cucumber(tmp, ['features/postgresql.feature', '--name', 'A proxy on PostgreSQL delivers messages'], /postgresql ready[\s\S]*\[stack\] proxy "[^"]*" ready/);
  assert.equal(killed.signal, 'SIGKILL', killed.output.slice(-2000));
  const [stack] = stackDirs(tmp);
  assert.ok(stack, `a stack folder expected in ${tmp}`);
  const owner = readJson<OwnerRecord>(join(stack, OWNER_FILE));
  const recorded = services(stack);
  const forked = recorded.filter((s) => s.name === 'fork-server' || s.name.startsWith('proxy'));
  assert.ok(forked.length >= 3, `the fork server and two forked proxies are recorded: ${recorded.map((s) => s.name).join(', ')}`);
  for (const s of forked) {
    await eventually({ description: `${s.name} (${s.pid}) to end after its run was killed`, timeoutMs: 5000 }, () => !isSameProcess(s.pid, s.start) || zombie(s.pid));
  }
  // What the sweep is for is left: the services that were spawned directly.
  assert.ok(leftovers(owner, recorded).length > 0, 'the other services wait for the sweep');
  const next = await cucumber(tmp, ['--tags', '@delivery', '--name', 'One message is delivered']);
  assert.equal(next.code, 0, next.output.slice(-2000));
  assert.deepEqual(leftovers(owner, recorded).filter((p) => isSameProcess(p.pid, p.start)), [], 'the next run swept the rest');
});

function zombie(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
}

/** A process of a stand-in service: `sleep`, in a group of its own unless said otherwise. */
function service(command: string, args: string[], env: NodeJS.ProcessEnv = {}, detached = true): ProcessFacts {
  const child = spawn(command, args, { detached, stdio: 'ignore', env: { PATH: process.env.PATH, ...env } });
  child.unref();
  const facts = processFacts(child.pid!);
  assert.ok(facts, `${command} started`);
  started.push(facts);
  return facts;
}

/** An owner that has ended: a process that ran, read while it ran. */
async function endedOwner(): Promise<OwnerRecord> {
  const child = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
  const facts = processFacts(child.pid!)!;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin.end();
  await exited;
  return { pid: facts.pid, start: facts.start, host: thisProcess().host };
}

test('--cleanup stops what a dead run left, in one line, and leaves a live run, a reused PID and an unknown folder alone', async () => {
  const tmp = scratch('cleanup-test-');

  const live = join(tmp, 'gmp-stack-live');
  mkdirSync(live);
  writeOwner(live, { label: 'worker-0' });
  const liveService = service('sleep', ['300']);
  recordService(live, 'sleep', liveService.pid);

  const dead = join(tmp, 'gmp-stack-dead');
  mkdirSync(dead);
  const owner = await endedOwner();
  writeOwner(dead, { owner, label: 'worker-1' });
  const mark = { [RUN_MARKER_VARIABLE]: ownerMarker(owner) };
  const leader = service('sleep', ['300'], mark);
  recordService(dead, 'mailpit', leader.pid);
  // A group with a child that lost the mark (as Dovecot's children do).
  const group = service('sh', ['-c', 'env -i sleep 300 & wait']);
  recordService(dead, 'dovecot', group.pid);
  const child = await eventually(
    { description: 'the child of the stand-in Dovecot', timeoutMs: 5000, intervalMs: 20 },
    () => readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map((e) => processFacts(Number(e))).find((p) => p && p.pgrp === group.pid && p.pid !== group.pid),
  );
  started.push(child!);
  // A process that left its group (a daemon) but carries the dead owner's mark.
  const daemon = service('setsid', ['sleep', '300'], mark, false);
  // The dead run's record of a PID that another process has now (another start time).
  writeFileSync(join(dead, SERVICES_FILE), `${readFileSync(join(dead, SERVICES_FILE), 'utf8')}${JSON.stringify({ name: 'minio', pid: liveService.pid, pgid: liveService.pid, start: liveService.start - 1 })}\n`);

  const unknown = join(tmp, 'gmp-stack-older');
  mkdirSync(unknown);
  writeFileSync(join(unknown, 'mailpit.db'), '');

  const run = await new Promise<Run>((resolve) => {
    const cleanup = spawn('bash', ['scripts/acceptance.sh', '--cleanup'], { cwd: ROOT, env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    cleanup.stdout.on('data', (c: Buffer) => (output += c.toString()));
    cleanup.stderr.on('data', (c: Buffer) => (output += c.toString()));
    cleanup.on('exit', (code, signal) => resolve({ code, signal, output }));
  });
  assert.equal(run.code, 0, run.output);
  assert.equal(
    run.output,
    `cleanup (local stacks under ${tmp}): stopped 4 processes (of mailpit, dovecot) and removed 1 folder that ended runs left: ${dead}; left alone: 1 stack of live runs, 1 folder without an owner record\n`,
  );
  for (const p of [leader, group, child!]) assert.equal(isSameProcess(p.pid, p.start), false, `${p.pid} was stopped`);
  // The daemon was reparented and may take a moment to be reaped; it must not run.
  assert.equal(isSameProcess(daemon.pid, daemon.start), false, 'the marked process was stopped');
  assert.ok(isSameProcess(liveService.pid, liveService.start), "the live run's service runs");
  assert.deepEqual(readdirSync(tmp).filter((d) => d.startsWith('gmp-stack-')).sort(), ['gmp-stack-live', 'gmp-stack-older']);
  assert.ok(existsSync(join(unknown, 'mailpit.db')));
});
