/**
 * The operator's machine in Docker mode: a container of the SUT image (docker/proxy),
 * kept running for one scenario, on the project's network. Commands run in it with
 * `docker exec`, as user 10001 with a home folder of their own; servers bind 0.0.0.0 on
 * one of the container's published ports. `mail-proxy` is the release's console script
 * from the sources in /opt/sut/src, or the one pip installed from the release's wheel in
 * /opt/sut-wheel (docker/proxy/install-sut.sh). The container's own /data (the image's
 * volume, empty, owned by the user) is the release's default data folder; `read-only`
 * takes its write permission away.
 */
import type { ContainerRuntimeClient } from 'testcontainers';
import { CONSOLE_SCRIPT } from './operator-local.js';
import type { CommandResult, OperatorCommand, OperatorMachine, RunningCommand } from './types.js';

/** Where docker/proxy/install-sut.sh puts the sources and the installed wheel. */
export const IMAGE_PATHS = { release: '/opt/sut', src: '/opt/sut/src', wheel: '/opt/sut-wheel' } as const;
/** The ports the operator's container publishes: the release's default, then some for servers the operator starts. */
export const OPERATOR_PORTS = [8000, 8101, 8102, 8103] as const;
const HOME = '/home/gmp/operator';

export class DockerOperatorMachine implements OperatorMachine {
  readonly home = HOME;
  readonly bindHost = '0.0.0.0';
  readonly releaseFolder = IMAGE_PATHS.release;
  private nextPort = 1;
  private count = 0;

  constructor(
    private readonly engine: ContainerRuntimeClient,
    private readonly containerId: string,
    private readonly reach: (port: number) => string,
    private readonly remove: () => Promise<void>,
    private readonly runImage: (settings: Record<string, string>) => Promise<{ url: string; command: RunningCommand }>,
  ) {}

  startImage(settings: Record<string, string>): Promise<{ url: string; command: RunningCommand }> {
    return this.runImage(settings);
  }

  async prepare(): Promise<void> {
    const made = await this.exec(['mkdir', '-p', HOME], {}, '/');
    if (made.exitCode !== 0) throw new Error(`could not make the operator's home ${HOME}: ${made.output.trim()}`);
  }

  async port(): Promise<number> {
    const port = OPERATOR_PORTS[this.nextPort];
    if (port === undefined) throw new Error(`the operator's container publishes only ports ${OPERATOR_PORTS.join(', ')}`);
    this.nextPort += 1;
    return port;
  }

  url(port: number): string {
    return this.reach(port);
  }

  private exec(command: string[], env: Record<string, string> = {}, workingDir = HOME) {
    return this.engine.container.exec(this.engine.container.getById(this.containerId), command, { env, workingDir });
  }

  private invocation(command: OperatorCommand): { argv: string[]; env: Record<string, string> } {
    const env: Record<string, string> = { HOME, LANG: 'C.UTF-8', PYTHONUNBUFFERED: '1', ...command.env };
    if (command.install === 'image') throw new Error("in Docker mode the release's image runs in a container of its own: use startImage()");
    if (command.install === 'wheel') {
      return { argv: [`${IMAGE_PATHS.wheel}/bin/mail-proxy`, ...command.args], env: { ...env, PYTHONPATH: IMAGE_PATHS.wheel } };
    }
    return { argv: ['python', '-c', CONSOLE_SCRIPT, ...command.args], env: { ...env, PYTHONPATH: IMAGE_PATHS.src } };
  }

  /** The container's /data as the command asks: writable (the image's volume, owned by the user) or not. */
  private async dataFolder(command: OperatorCommand): Promise<void> {
    if (command.dataFolder) await this.exec(['chmod', command.dataFolder === 'own' ? 'u+w' : 'a-w', '/data']);
  }

  async run(command: OperatorCommand, timeoutMs: number): Promise<CommandResult> {
    const { argv, env } = this.invocation(command);
    await this.dataFolder(command);
    const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
    // Standard input comes from a variable: docker exec through testcontainers attaches none.
    const script = 'seconds=$1; shift; printf %s "$GMP_OPERATOR_STDIN" | timeout --signal=KILL "$seconds" "$@"';
    const result = await this.exec(['sh', '-c', script, 'sh', seconds, ...argv], { ...env, GMP_OPERATOR_STDIN: command.stdin ?? '' });
    return { code: result.exitCode === 137 ? null : result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }

  async start(command: OperatorCommand, label: string): Promise<RunningCommand> {
    const { argv, env } = this.invocation(command);
    const log = `${HOME}/.${label}-${++this.count}.log`;
    await this.dataFolder(command);
    const script = 'log=$1; shift; ( "$@" > "$log" 2>&1 & echo $! > "$log.pid"; wait $!; echo $? > "$log.rc" ) > /dev/null 2>&1 &';
    const started = await this.exec(['sh', '-c', script, 'sh', log, ...argv], env);
    if (started.exitCode !== 0) throw new Error(`could not start mail-proxy ${command.args.join(' ')} on the operator's machine: ${started.output.trim()}`);
    const read = async (path: string) => {
      const result = await this.exec(['sh', '-c', 'cat "$1" 2>/dev/null', 'sh', path]);
      return result.stdout;
    };
    return {
      exitNote: async () => {
        const rc = (await read(`${log}.rc`)).trim();
        return rc === '' ? undefined : `exited with code ${rc}`;
      },
      output: async () => (await read(log)).split('\n').slice(-400).join('\n'),
      stop: () => this.stopOne(log),
    };
  }

  private async stopOne(log: string): Promise<void> {
    const script = 'pid=$(cat "$1.pid" 2>/dev/null) || exit 0; kill -TERM "$pid" 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do [ -e "$1.rc" ] && exit 0; sleep 0.5; done; kill -KILL "$pid" 2>/dev/null; exit 0';
    await this.exec(['sh', '-c', script, 'sh', log]);
  }

  async writeFile(path: string, content: string): Promise<void> {
    const result = await this.exec(['sh', '-c', 'printf %s "$GMP_OPERATOR_FILE" > "$1"', 'sh', path], { GMP_OPERATOR_FILE: content });
    if (result.exitCode !== 0) throw new Error(`could not write ${path} on the operator's machine: ${result.output.trim()}`);
  }

  async fileExists(path: string): Promise<boolean> {
    return (await this.exec(['test', '-e', path])).exitCode === 0;
  }

  async stop(): Promise<void> {
    await this.remove();
  }
}
