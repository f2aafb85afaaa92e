/**
 * The operator's machine of the local stack: this machine, with a home folder of the
 * operator's own under the stack's temp dir. `mail-proxy` is the release's console script:
 * from the SUT's sources (the entry point pyproject.toml names, on the suite's venv), or
 * the one pip installed from the release's wheel (scripts/install.sh, .stack/installed.json
 * `sut.wheel`), each run with nothing else of the suite on its path.
 *
 * `dataFolder` gives the command a /data of its own: it runs in a private mount namespace
 * (util-linux `unshare`, as root) where an empty folder of the operator's (`own`) or a
 * read-only one (`read-only`) is mounted on /data. Two scenarios that start the release
 * with its defaults then never share a database, and nothing is written to the
 * machine's own /data (an empty /data is made once as the mount point when missing).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { InstalledStack } from '../base/config.js';
import { freePort } from '../base/net.js';
import { TeardownStack } from '../base/teardown.js';
import { ManagedProcess, RUN_MARKER_VARIABLE } from './process.js';
import { ownerMarker } from './run-record.js';
import type { CommandResult, OperatorCommand, OperatorMachine, RunningCommand } from './types.js';

/** What `mail-proxy` runs when it comes from the sources: pip's console script for `core.mail_proxy:main`. */
export const CONSOLE_SCRIPT = "import sys\nfrom core.mail_proxy import main\nsys.argv[0] = 'mail-proxy'\nsys.exit(main())";

/** /data: where 0.7.0's defaults keep the database (ProxyConfig.db_path) and the release's Dockerfile its volume. */
export const DEFAULT_DATA_FOLDER = '/data';

export class LocalOperatorMachine implements OperatorMachine {
  readonly bindHost = '127.0.0.1';
  readonly releaseFolder: string;
  private readonly teardown = new TeardownStack();
  private count = 0;

  private constructor(
    private readonly installed: InstalledStack,
    readonly home: string,
    private readonly logDir: string,
    /** The scenario's label (its id): part of every log file name, so that no two scenarios share one. */
    private readonly label: string,
    /** The stack's temp dir, whose services.jsonl records what this machine starts. */
    private readonly stackDir: string,
  ) {
    this.releaseFolder = dirname(installed.sut.src);
  }

  /** A machine whose folders live under `parentDir` (the stack's temp dir). */
  static create(installed: InstalledStack, parentDir: string, logDir: string, label: string): LocalOperatorMachine {
    const home = mkdtempSync(join(parentDir, `operator-${label}-`));
    return new LocalOperatorMachine(installed, home, logDir, label, parentDir);
  }

  port(): Promise<number> {
    return freePort();
  }

  url(port: number): string {
    return `http://127.0.0.1:${port}`;
  }

  async writeFile(path: string, content: string): Promise<void> {
    await writeFile(path, content);
  }

  async fileExists(path: string): Promise<boolean> {
    return existsSync(path);
  }

  /** The argv and environment of `mail-proxy <args>` as the command says. */
  private invocation(command: OperatorCommand): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
    const sut = this.installed.sut;
    let file: string;
    let args: string[];
    let pythonPath: string;
    if (command.install === 'wheel' || command.install === 'image') {
      if (!sut.wheel || !existsSync(join(sut.wheel, 'bin', 'mail-proxy'))) {
        throw new Error(`the release's package as pip installs it is missing (${sut.wheel ?? 'no sut.wheel in the manifest'}): run \`npm run setup\``);
      }
      file = command.install === 'wheel' ? join(sut.wheel, 'bin', 'mail-proxy') : sut.python;
      args = command.install === 'wheel' ? command.args : ['-m', 'uvicorn', 'core.mail_proxy.server:app', ...command.args];
      pythonPath = sut.wheel;
    } else {
      file = sut.python;
      args = ['-c', CONSOLE_SCRIPT, ...command.args];
      pythonPath = sut.src;
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      LANG: 'C.UTF-8',
      HOME: this.home,
      PYTHONPATH: pythonPath,
      PYTHONUNBUFFERED: '1',
      // Marks whatever the command leaves running (an instance started in the background) as this run's.
      [RUN_MARKER_VARIABLE]: ownerMarker(),
      ...command.env,
    };
    if (command.dataFolder) {
      if (!existsSync(DEFAULT_DATA_FOLDER)) {
        if (process.getuid?.() !== 0) {
          throw new Error(`the scenario gives the release a ${DEFAULT_DATA_FOLDER} folder of its own, in a private mount namespace: run the suite as root, or create an empty ${DEFAULT_DATA_FOLDER} as root once`);
        }
        mkdirSync(DEFAULT_DATA_FOLDER, { mode: 0o755 });
      }
      // A private mount namespace: what is mounted on /data is seen by this command only.
      let mount: string;
      let source: string;
      if (command.dataFolder === 'own') {
        source = join(this.home, `.data-${++this.count}`);
        mkdirSync(source, { recursive: true });
        mount = 'mount --bind "$1" "$2"';
      } else {
        source = 'tmpfs';
        mount = 'mount -t tmpfs -o ro,size=64k "$1" "$2"';
      }
      return {
        file: 'unshare',
        args: ['--mount', '--propagation', 'private', '--', 'sh', '-c', `${mount} && shift 2 && exec "$@"`, 'sh', source, DEFAULT_DATA_FOLDER, file, ...args],
        env,
      };
    }
    return { file, args, env };
  }

  run(command: OperatorCommand, timeoutMs: number): Promise<CommandResult> {
    const { file, args, env } = this.invocation(command);
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, { cwd: this.home, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`could not run mail-proxy ${command.args.join(' ')}: ${error.message}`));
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end(command.stdin ?? '');
    });
  }

  async start(command: OperatorCommand, label: string): Promise<RunningCommand> {
    const { file, args, env } = this.invocation(command);
    const proc = ManagedProcess.start({
      name: `operator-${label}`,
      command: file,
      args,
      env,
      cwd: this.home,
      stackDir: this.stackDir,
      logFile: join(this.logDir, `operator-${this.label}-${label}-${++this.count}.log`),
    });
    this.teardown.push(`stop mail-proxy ${command.args.join(' ')}`, () => proc.stop());
    return {
      exitNote: async () => proc.deathNote,
      output: async () => proc.logTail(400),
      stop: () => proc.stop(),
    };
  }

  async startImage(settings: Record<string, string>): Promise<{ url: string; command: RunningCommand }> {
    const port = await this.port();
    // The image's CMD, but on loopback and a free port: uvicorn ... --host 0.0.0.0 --port 8000 --timeout-graceful-shutdown 10.
    const args = ['--host', this.bindHost, '--port', String(port), '--timeout-graceful-shutdown', '10'];
    const command = await this.start({ install: 'image', args, env: settings, dataFolder: 'own' }, 'image');
    return { url: this.url(port), command };
  }

  async stop(): Promise<void> {
    await this.teardown.run();
  }
}
