/**
 * The warm start of the local stack's proxies (stack/forkserver.py): one Python process per
 * worker imports the SUT once and forks a proxy for each start, which saves each start
 * about 0.4 s of CPU and, on a loaded machine, a second or more of waiting. A forked proxy
 * is a process of its own, in its own process group, with its own log file; ForkedProcess
 * gives it the same handle (StackProcess) as a spawned one.
 *
 * Only proxies whose environment is the worker's standard one are forked (see
 * LocalProvider.proxySpec): a scenario that gives a proxy an environment of its own (a
 * controlled clock through LD_PRELOAD, a CA bundle, GMP_* settings) gets a process
 * executed with it, so that whatever the SUT reads from its environment when it is
 * imported, it reads there.
 */
import { createInterface } from 'node:readline';
import { adoptProcess, stopGroup, tailOfFile, type ExitInfo, type ManagedProcess, type StackProcess } from './process.js';

interface ServerLine {
  ready?: boolean;
  imports_s?: number;
  id?: number;
  pid?: number;
  error?: string;
  exit?: number;
  code?: number | null;
  signal?: NodeJS.Signals | null;
}

export interface ForkRequest {
  name: string;
  /** The launcher's arguments (without the launcher's path). */
  argv: string[];
  /** Set in the child before the launcher runs: only what the launcher itself reads (its token). */
  env: Record<string, string>;
  logFile: string;
}

export class ForkServer {
  private nextId = 1;
  private readonly waitingForPid = new Map<number, { request: ForkRequest; resolve: (child: ForkedProcess) => void; reject: (error: Error) => void }>();
  private readonly children = new Map<number, ForkedProcess>();
  private readonly ready: Promise<void>;
  private imported = false;

  constructor(
    private readonly server: ManagedProcess,
    private readonly stackDir: string,
  ) {
    let readyResolve!: () => void;
    let readyReject!: (error: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    // Nobody may be waiting when it fails: the failure is said to the next start() instead.
    this.ready.catch(() => undefined);
    const lines = createInterface({ input: server.pipes.stdout });
    lines.on('line', (text) => {
      let line: ServerLine;
      try {
        line = JSON.parse(text) as ServerLine;
      } catch {
        return;
      }
      if (line.ready) {
        this.imported = true;
        readyResolve();
      }
      if (line.id !== undefined) {
        const waiting = this.waitingForPid.get(line.id);
        this.waitingForPid.delete(line.id);
        // The child's handle is made here, before the next line is read: a proxy that ends
        // at once has its end on the very next line, in the same chunk.
        if (line.pid !== undefined && waiting) waiting.resolve(this.adopt(waiting.request, line.pid));
        else waiting?.reject(new Error(`the fork server could not start the proxy: ${line.error ?? 'no reason given'}`));
      }
      if (line.exit !== undefined) this.children.get(line.exit)?.ended({ code: line.code ?? null, signal: line.signal ?? null });
    });
    void server.exited.then(() => {
      const why = new Error(`the fork server ${server.deathNote ?? 'ended'}.\n--- last lines of its log ---\n${server.logTail(25)}`);
      readyReject(why);
      for (const waiting of this.waitingForPid.values()) waiting.reject(why);
      this.waitingForPid.clear();
      // Its children die with it (PR_SET_PDEATHSIG).
      for (const child of this.children.values()) child.ended({ code: null, signal: 'SIGKILL' });
    });
  }

  /** Whether the server has imported the SUT and takes requests. */
  get isReady(): boolean {
    return this.imported;
  }

  /** Resolves once the server has imported the SUT; rejects, with its log, if it ended first. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Forks one proxy; it is running (not yet serving) when this resolves. */
  async start(request: ForkRequest): Promise<ForkedProcess> {
    await this.ready;
    const id = this.nextId++;
    return new Promise<ForkedProcess>((resolve, reject) => {
      this.waitingForPid.set(id, { request, resolve, reject });
      this.server.pipes.stdin.write(`${JSON.stringify({ id, argv: request.argv, env: request.env, log: request.logFile })}\n`);
    });
  }

  private adopt(request: ForkRequest, pid: number): ForkedProcess {
    const child = new ForkedProcess(request.name, pid, request.logFile);
    this.children.set(pid, child);
    void child.exited.then(() => this.children.delete(pid));
    adoptProcess(child, this.stackDir);
    return child;
  }
}

/** A proxy forked by the fork server: ends when the server says so. */
export class ForkedProcess implements StackProcess {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private resolveExit!: (info: ExitInfo) => void;

  constructor(
    readonly name: string,
    readonly pid: number,
    private readonly logFile: string,
  ) {
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.resolveExit = resolve;
    });
  }

  ended(info: ExitInfo): void {
    if (this.exitInfo) return;
    this.exitInfo = info;
    this.resolveExit(info);
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  get deathNote(): string | undefined {
    if (!this.exitInfo) return undefined;
    return `exited with ${this.exitInfo.signal ?? `code ${this.exitInfo.code}`}`;
  }

  logTail(lines = 40): string {
    return tailOfFile(this.logFile, lines);
  }

  stop(graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    return stopGroup(this, graceMs, signal);
  }
}
