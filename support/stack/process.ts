/**
 * Child processes of the local stack.
 *
 * Each service runs in its own process group (detached), so that stopping it also
 * stops the children it forks (Dovecot, PostgreSQL). Output goes to a log file that is
 * kept for the report. Every process is registered: on SIGINT, SIGTERM or exit of the
 * test process, whatever is still running is killed, so no service outlives the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { ownerMarker, recordService, RUN_MARKER_VARIABLE } from './run-record.js';

export interface SpawnSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  logFile: string;
  uid?: number;
  gid?: number;
  /** The stack's temp dir: the process is recorded in its services.jsonl (support/stack/run-record.ts). */
  stackDir?: string;
  /** Its stdin and stdout are pipes to this process (the fork server's protocol); stderr goes to the log. */
  piped?: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A service process of the stack, however it was started: spawned (ManagedProcess) or
 * forked by the fork server (support/stack/fork-server.ts). Each leads its own process
 * group, which stop() signals.
 */
export interface StackProcess {
  readonly name: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Why the process is not running, in words, or undefined while it runs. */
  readonly deathNote: string | undefined;
  readonly exited: Promise<ExitInfo>;
  logTail(lines?: number): string;
  /** SIGTERM (or `signal`) to its group, then SIGKILL after `graceMs`. Resolves once it has exited. */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<void>;
}

/** Marks every stack process with its owner (this process's PID and start time), so a sweep can find them in /proc. */
export { RUN_MARKER_VARIABLE };

const live = new Set<StackProcess>();
/** Process groups this test process created (each service leads its own). */
const groups = new Set<number>();
/** Temp dirs of running stacks: removed on exit if their stack did not remove them. */
const tempDirs = new Set<string>();

/** Registers a stack's temp dir; the returned function removes it (and forgets it). */
export function ownTempDir(dir: string): () => void {
  installExitGuards();
  tempDirs.add(dir);
  return () => {
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  };
}

/**
 * Makes a process this test process did not spawn itself (a forked proxy) one of its own:
 * killed with the others on exit or interrupt, found by survivingStackProcesses(), and
 * recorded in its stack's services.jsonl for the sweep.
 */
export function adoptProcess(p: StackProcess & { pid: number }, stackDir?: string): void {
  installExitGuards();
  live.add(p);
  groups.add(p.pid);
  void p.exited.then(() => live.delete(p));
  if (stackDir) recordService(stackDir, p.name, p.pid);
}

export class ManagedProcess implements StackProcess {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;

  private constructor(
    readonly spec: SpawnSpec,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this);
        resolve(this.exitInfo);
      });
    });
  }

  static start(spec: SpawnSpec): ManagedProcess {
    installExitGuards();
    const fd = openSync(spec.logFile, 'a');
    try {
      const child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: { ...process.env, ...spec.env, [RUN_MARKER_VARIABLE]: ownerMarker() },
        stdio: spec.piped ? ['pipe', 'pipe', fd] : ['ignore', fd, fd],
        detached: true,
        uid: spec.uid,
        gid: spec.gid,
      });
      const managed = new ManagedProcess(spec, child);
      // A spawn failure (missing binary) arrives as an 'error' event.
      child.once('error', (error) => {
        managed.exitInfo = { code: -1, signal: null };
        managed.spawnError = error;
        live.delete(managed);
      });
      live.add(managed);
      if (child.pid !== undefined) groups.add(child.pid);
      // Tagged with its run at once: a SIGKILL from now on leaves it to the next run's sweep.
      if (spec.stackDir) recordService(spec.stackDir, spec.name, child.pid);
      return managed;
    } finally {
      closeSync(fd);
    }
  }

  spawnError: Error | undefined;

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Its stdin and stdout, for a process started with `piped`. */
  get pipes(): { stdin: NodeJS.WritableStream; stdout: NodeJS.ReadableStream } {
    const { stdin, stdout } = this.child;
    if (!stdin || !stdout) throw new Error(`${this.spec.name} was not started with pipes`);
    return { stdin, stdout };
  }

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return this.exitInfo === undefined && this.spawnError === undefined;
  }

  /** Why the process is not running, in words, or undefined while it runs. */
  get deathNote(): string | undefined {
    if (this.spawnError) return `could not start ${this.spec.command}: ${this.spawnError.message}`;
    if (this.exitInfo) return `exited with ${this.exitInfo.signal ?? `code ${this.exitInfo.code}`}`;
    return undefined;
  }

  logTail(lines = 40): string {
    return tailOfFile(this.spec.logFile, lines);
  }

  /** SIGTERM to the group, then SIGKILL after `graceMs`. Resolves once the leader has exited. */
  stop(graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    return stopGroup(this, graceMs, signal);
  }
}

/**
 * Stops a process that leads its group: `signal` to the group, then SIGKILL after
 * `graceMs`; resolves once the leader has exited. What StackProcess.stop() does.
 */
export async function stopGroup(p: Pick<StackProcess, 'pid' | 'running' | 'exited'>, graceMs: number, signal: NodeJS.Signals): Promise<void> {
  if (!p.running) return;
  signalGroup(p, signal);
  const timer = setTimeout(() => signalGroup(p, 'SIGKILL'), graceMs);
  try {
    await p.exited;
  } finally {
    clearTimeout(timer);
  }
  // Children that ignored the leader's end (none expected) go too.
  signalGroup(p, 'SIGKILL');
}

export function signalGroup(p: { pid: number | undefined }, signal: NodeJS.Signals): void {
  if (p.pid === undefined) return;
  try {
    process.kill(-p.pid, signal);
  } catch {
    // The group is already gone.
  }
}

export function tailOfFile(path: string, lines = 40): string {
  if (!existsSync(path)) return `(no log at ${path})`;
  const text = readFileSync(path, 'utf8');
  const all = text.split('\n');
  return all.slice(Math.max(0, all.length - lines - 1)).join('\n');
}

/** Processes started by this test process and still running. */
export function liveProcesses(): StackProcess[] {
  return [...live];
}

/**
 * Processes still alive in any process group this test process created: after a
 * stack has stopped, this must be empty. Reads /proc (Linux).
 */
export function survivingStackProcesses(): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...: comm may contain spaces, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pgrp = Number(fields[2]);
      if (groups.has(pgrp) && fields[0] !== 'Z') {
        found.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() });
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

let guardsInstalled = false;
function installExitGuards(): void {
  if (guardsInstalled) return;
  guardsInstalled = true;
  const killAll = () => {
    for (const p of live) signalGroup(p, 'SIGKILL');
    for (const dir of tempDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // A dying process may still hold a file; nothing more can be done at exit.
      }
    }
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      // Give services a moment to stop cleanly (PostgreSQL, Dovecot), then make sure.
      for (const p of live) signalGroup(p, 'SIGTERM');
      const deadline = Date.now() + 2000;
      const gate = new Int32Array(new SharedArrayBuffer(4));
      while ([...live].some((p) => isAlive(p.pid)) && Date.now() < deadline) Atomics.wait(gate, 0, 0, 50);
      killAll();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
