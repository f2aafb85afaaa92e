/**
 * Which test process a local stack belongs to, so that what a killed run left can be
 * found and stopped (the local stack's counterpart of Docker mode's sweep,
 * support/stack/docker-cleanup.ts).
 *
 * Each local stack's temp dir (`$TMPDIR/gmp-stack-*`) holds:
 *   owner.json      the test process that owns the stack: its PID and start time (from
 *                   /proc/<pid>/stat, so a reused PID is told apart), the host, the run id;
 *   services.jsonl  one line per service started: its name, its PID, which is also its
 *                   process group (every service leads its own group, support/stack/process.ts),
 *                   and its start time.
 * Every service also carries GMP_ACCEPTANCE_STACK=<owner pid>:<owner start> in its
 * environment, which catches a process that left its group (a daemon).
 *
 * A stack is dead when its owner is: no process has the owner's PID with the owner's
 * start time. sweepDeadStacks() claims each dead stack's folder (an atomic rename, so two
 * sweeps never share one), kills what is left of it and removes the folder. A live
 * stack (another run going on at the same time), a folder without owner.json (being
 * created, or made by an older version of the suite) and a stack of another host are
 * never touched. Linux only (/proc).
 */
import { appendFileSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../base/eventually.js';

export const STACK_DIR_PREFIX = 'gmp-stack-';
export const OWNER_FILE = 'owner.json';
export const SERVICES_FILE = 'services.jsonl';
/** Marks every process of a stack with its owner's identity (support/stack/process.ts). */
export const RUN_MARKER_VARIABLE = 'GMP_ACCEPTANCE_STACK';

export interface ProcessFacts {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  /** Clock ticks after boot: with the PID, unique on this machine until the next boot. */
  start: number;
}

/** What /proc says about one process, or undefined when there is none. */
export function processFacts(pid: number): ProcessFacts | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    // utime stime cutime cstime priority nice threads itrealvalue starttime ...:
    // comm may hold spaces, so split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0]!, ppid: Number(fields[1]), pgrp: Number(fields[2]), start: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

/** Whether `pid` is the process that started at `start` (and has not ended). */
export function isSameProcess(pid: number, start: number): boolean {
  const facts = processFacts(pid);
  return facts !== undefined && facts.start === start && facts.state !== 'Z';
}

export interface OwnerRecord {
  pid: number;
  start: number;
  host: string;
  /** ACCEPTANCE_RUN_ID of the run (npm run acceptance), when set. */
  run?: string;
  /** serial or worker-N. */
  label?: string;
}

export interface ServiceRecord {
  name: string;
  pid: number;
  /** The process group: the service leads its own. */
  pgid: number;
  start: number;
}

let self: OwnerRecord | undefined;
/** This test process as an owner. */
export function thisProcess(): OwnerRecord {
  self ??= { pid: process.pid, start: processFacts(process.pid)?.start ?? -1, host: hostname() };
  return self;
}

/** The value of RUN_MARKER_VARIABLE for the services this process starts. */
export function ownerMarker(owner: OwnerRecord = thisProcess()): string {
  return `${owner.pid}:${owner.start}`;
}

/** Writes owner.json into a stack's folder: this process, unless another owner is given (tests). */
export function writeOwner(dir: string, details: { label?: string; owner?: OwnerRecord } = {}): void {
  const owner: OwnerRecord = { ...(details.owner ?? thisProcess()), run: process.env.ACCEPTANCE_RUN_ID, label: details.label };
  writeFileSync(join(dir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
}

/** Records one service of a stack: a line in services.jsonl. Without a start time (it already ended) nothing is recorded. */
export function recordService(dir: string, name: string, pid: number | undefined): void {
  if (pid === undefined) return;
  const facts = processFacts(pid);
  if (!facts) return;
  const record: ServiceRecord = { name, pid, pgid: pid, start: facts.start };
  appendFileSync(join(dir, SERVICES_FILE), `${JSON.stringify(record)}\n`);
}

function readOwner(dir: string): OwnerRecord | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as OwnerRecord;
    return Number.isInteger(owner.pid) && Number.isInteger(owner.start) ? owner : undefined;
  } catch {
    return undefined;
  }
}

function readServices(dir: string): ServiceRecord[] {
  let text = '';
  try {
    text = readFileSync(join(dir, SERVICES_FILE), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim())
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as ServiceRecord];
      } catch {
        return []; // a line cut short when the owner was killed while writing it
      }
    });
}

function markerOf(pid: number): string | undefined {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const entry = environ.find((e) => e.startsWith(`${RUN_MARKER_VARIABLE}=`));
    return entry?.slice(RUN_MARKER_VARIABLE.length + 1);
  } catch {
    return undefined; // another user's process, or gone
  }
}

function allProcesses(): ProcessFacts[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      const facts = processFacts(Number(entry));
      return facts && facts.state !== 'Z' ? [facts] : [];
    });
}

/**
 * The processes a dead stack left: the members of its recorded process groups, any
 * process marked with its owner, and their descendants (PostgreSQL's backends lead
 * groups of their own and overwrite their environment with their titles). A group's
 * member counts only if it started no earlier than the group's leader did (the leader
 * itself: at exactly its recorded start) and carries no other owner's mark, a child only
 * if it started no earlier than its parent: so a PID or group number reused since is
 * never taken.
 */
export function leftovers(owner: OwnerRecord, services: ServiceRecord[], processes: ProcessFacts[] = allProcesses()): ProcessFacts[] {
  const groups = new Map(services.map((s) => [s.pgid, s] as const));
  const mark = ownerMarker(owner);
  const found = new Map<number, ProcessFacts>();
  for (const p of processes) {
    if (p.pid === process.pid) continue;
    const marker = markerOf(p.pid);
    const group = groups.get(p.pgrp);
    const inGroup = group !== undefined && (marker === undefined || marker === mark) && (p.pid === group.pid ? p.start === group.start : p.start >= group.start);
    if (marker === mark || inGroup) found.set(p.pid, p);
  }
  // Descendants, until no more are found.
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of processes) {
      const parent = found.get(p.ppid);
      if (!found.has(p.pid) && p.pid !== process.pid && parent && p.start >= parent.start) {
        found.set(p.pid, p);
        grew = true;
      }
    }
  }
  return [...found.values()];
}

export interface SweptStack {
  dir: string;
  owner: OwnerRecord;
  /** What was killed: name (command) and PID. */
  stopped: { pid: number; command: string }[];
  /** The recorded services that were still running. */
  services: string[];
}

export interface SweepResult {
  swept: SweptStack[];
  /** Stacks whose owner still runs: left alone. */
  live: number;
  /** Folders without an owner record (being created, or from an older version of the suite): left alone. */
  unknown: number;
  problems: string[];
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim().split(' ')[0] ?? '?';
  } catch {
    return '?';
  }
}

/** A folder a sweep has claimed: `<name>.sweeping-<pid>-<start>` of the sweeping process. */
const CLAIMED = /^(gmp-stack-[^.]+)\.sweeping-(\d+)-(\d+)$/;

/**
 * Stops what the dead local stacks under `tmp` (TMPDIR) left and removes their folders.
 * Never touches a stack whose owner runs, nor one without an owner record.
 */
export async function sweepDeadStacks(tmp: string = tmpdir()): Promise<SweepResult> {
  const result: SweepResult = { swept: [], live: 0, unknown: 0, problems: [] };
  const me = thisProcess();
  let entries: string[];
  try {
    entries = readdirSync(tmp).filter((name) => name.startsWith(STACK_DIR_PREFIX));
  } catch (error) {
    result.problems.push(`cannot read ${tmp}: ${(error as Error).message}`);
    return result;
  }
  for (const name of entries) {
    const dir = join(tmp, name);
    try {
      if (!statSync(dir).isDirectory()) continue;
    } catch {
      continue; // removed meanwhile
    }
    const claimed = CLAIMED.exec(name);
    if (claimed && isSameProcess(Number(claimed[2]), Number(claimed[3]))) continue; // another sweep is at it
    const owner = readOwner(dir);
    if (!owner) {
      result.unknown += 1;
      continue;
    }
    if (owner.host !== me.host) continue;
    if (isSameProcess(owner.pid, owner.start)) {
      result.live += 1;
      continue;
    }
    // Claim the folder: of two sweeps at once, only one renames it.
    const mine = join(tmp, `${claimed ? claimed[1] : name}.sweeping-${me.pid}-${me.start}`);
    try {
      renameSync(dir, mine);
    } catch {
      continue;
    }
    const services = readServices(mine);
    const left = leftovers(owner, services);
    const stopped = left.map((p) => ({ pid: p.pid, command: commandOf(p.pid) }));
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') result.problems.push(`kill ${p.pid}: ${(error as Error).message}`);
      }
    }
    try {
      await eventually(
        { description: `the processes a dead stack left (${name}) to end`, timeoutMs: 5000, intervalMs: 20 },
        () => left.filter((p) => isSameProcess(p.pid, p.start)).map((p) => p.pid),
        (alive) => alive.length === 0,
      );
    } catch (error) {
      result.problems.push((error as Error).message.split('\n')[0]!);
    }
    try {
      rmSync(mine, { recursive: true, force: true });
    } catch (error) {
      result.problems.push(`remove ${mine}: ${(error as Error).message}`);
    }
    const running = services.filter((s) => left.some((p) => p.pid === s.pid || p.pgrp === s.pgid)).map((s) => s.name);
    result.swept.push({ dir, owner, stopped, services: [...new Set(running)] });
  }
  return result;
}

/** The sweep in one line, or undefined when a run start has nothing to say. */
export function sweepLine(result: SweepResult, always = false): string | undefined {
  const processes = result.swept.reduce((n, s) => n + s.stopped.length, 0);
  const kinds = [...new Set(result.swept.flatMap((s) => s.services))].join(', ');
  const alone = [
    result.live > 0 ? `${result.live} stack${result.live === 1 ? '' : 's'} of live runs` : '',
    result.unknown > 0 ? `${result.unknown} folder${result.unknown === 1 ? '' : 's'} without an owner record` : '',
  ].filter(Boolean);
  const problems = result.problems.length > 0 ? `; could not finish: ${result.problems.join('; ')}` : '';
  if (result.swept.length === 0) {
    if (!always && !problems) return undefined;
    return `nothing left by ended runs${alone.length ? `; left alone: ${alone.join(', ')}` : ''}${problems}`;
  }
  const folders = result.swept.map((s) => s.dir).join(', ');
  return (
    `stopped ${processes} process${processes === 1 ? '' : 'es'}${kinds ? ` (of ${kinds})` : ''} and removed ${result.swept.length} folder${result.swept.length === 1 ? '' : 's'} that ended runs left: ${folders}` +
    `${alone.length ? `; left alone: ${alone.join(', ')}` : ''}${problems}`
  );
}
