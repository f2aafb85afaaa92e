/**
 * The suite's own clean-up of Docker mode, for when testcontainers' Ryuk cannot be had
 * (its image comes from Docker Hub), and on top of it on SIGINT, SIGTERM and SIGHUP:
 *
 *  - removeProject(): every container (the provider's own ones first, as they sit on
 *    the project's network), network and volume of one compose project, found by label,
 *    with the docker CLI, synchronously, so that it also runs in a signal handler;
 *  - guardProject(): on SIGINT, SIGTERM or SIGHUP the test process removes its project,
 *    then exits (130, 143, 129);
 *  - sweepDeadRuns(): at start, the projects of runs of this machine whose main process
 *    is gone (a killed run: SIGKILL leaves no chance to clean up) are removed. A live
 *    run is never touched, so two runs on one engine do not disturb each other.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { COMPOSE_PROJECT_LABEL, hostTag, PROJECT_LABEL, projectOwner } from './docker-compose-model.js';

const CLI_TIMEOUT_MS = 60_000;

function docker(args: string[]): { ok: boolean; out: string } {
  const result = spawnSync('docker', args, { encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
  return { ok: result.status === 0, out: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() || String(result.error ?? '') };
}

function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** What removing one project left undone, if anything. */
export function removeProject(project: string): string[] {
  const problems: string[] = [];
  const containers = new Set<string>();
  for (const label of [PROJECT_LABEL, COMPOSE_PROJECT_LABEL]) {
    const listed = docker(['ps', '-aq', '--filter', `label=${label}=${project}`]);
    if (!listed.ok) return [`docker ps: ${listed.out}`];
    lines(listed.out).forEach((id) => containers.add(id));
  }
  if (containers.size > 0) {
    const removed = docker(['rm', '-f', '-v', ...containers]);
    if (!removed.ok) problems.push(`docker rm: ${removed.out}`);
  }
  for (const kind of ['network', 'volume'] as const) {
    const listed = docker([kind, 'ls', '-q', '--filter', `label=${COMPOSE_PROJECT_LABEL}=${project}`]);
    if (!listed.ok) {
      problems.push(`docker ${kind} ls: ${listed.out}`);
      continue;
    }
    const ids = lines(listed.out);
    if (ids.length === 0) continue;
    const removed = docker([kind, 'rm', ...ids]);
    if (!removed.ok) problems.push(`docker ${kind} rm: ${removed.out}`);
  }
  return problems;
}

/** The compose projects that have a container, network or volume on the engine. */
export function projectsOnEngine(): string[] {
  const found = new Set<string>();
  const label = (name: string) => `{{.Label "${name}"}}`;
  for (const [args, name] of [
    [['ps', '-a'], COMPOSE_PROJECT_LABEL],
    [['ps', '-a'], PROJECT_LABEL],
    [['network', 'ls'], COMPOSE_PROJECT_LABEL],
    [['volume', 'ls'], COMPOSE_PROJECT_LABEL],
  ] as const) {
    const listed = docker([...args, '--filter', `label=${name}`, '--format', label(name)]);
    if (listed.ok) lines(listed.out).forEach((p) => found.add(p));
  }
  return [...found];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the projects of this machine's runs whose main process has ended; returns their names. */
export function sweepDeadRuns(log: (line: string) => void): string[] {
  const mine = hostTag(hostname());
  const dead = projectsOnEngine().filter((project) => {
    const owner = projectOwner(project);
    return owner !== undefined && owner.hostTag === mine && !alive(owner.pid);
  });
  for (const project of dead) {
    const problems = removeProject(project);
    if (problems.length > 0) log(`[stack] docker: removing ${project} of an ended run left: ${problems.join('; ')}`);
  }
  if (dead.length > 0) log(`[stack] docker: removed what ended runs had left: ${dead.join(', ')}`);
  return dead;
}

const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/**
 * On SIGINT, SIGTERM or SIGHUP: remove the project and the run's temp dirs, then exit.
 * Returns the function that takes the guard away (after a normal stop).
 */
export function guardProject(project: string, tempDirs: string[], log: (line: string) => void): () => void {
  const handlers = Object.entries(SIGNALS).map(([signal, code]) => {
    const handler = () => {
      log(`[stack] docker: ${signal}: removing compose project ${project}`);
      const problems = removeProject(project);
      if (problems.length > 0) log(`[stack] docker: ${problems.join('; ')}`);
      for (const dir of tempDirs) {
        try {
          rmSync(dir, { recursive: true, force: true });
        } catch (error) {
          log(`[stack] docker: ${dir} is left: ${(error as Error).message}`);
        }
      }
      process.exit(code);
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  return () => handlers.forEach(([signal, handler]) => process.removeListener(signal, handler));
}
