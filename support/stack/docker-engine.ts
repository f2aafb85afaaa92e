/**
 * Reaching a Docker engine through testcontainers: the engine's settings when none are
 * given (.stack/docker/env, written by scripts/docker-engine.sh), the host address when
 * the suite itself runs in a container, Ryuk or the suite's own clean-up, a fast, clear
 * failure when no engine answers (with the fix), and the likely cause of a failed
 * `compose up`. testcontainers itself is imported only in Docker mode.
 */
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { ContainerRuntimeClient } from 'testcontainers';
import { ROOT } from '../base/config.js';
import { hostOverrideFor, publishIp, unixSocketListens } from './docker-compose-model.js';
import { StackStartError } from './services.js';

export type Testcontainers = typeof import('testcontainers');

export const NO_ENGINE_FIX =
  'Fix: start a Docker engine with Compose v2 until `docker info` answers: `bash scripts/docker-engine.sh start` (a private engine, found through .stack/docker/env), ' +
  'Docker Desktop, or `sudo systemctl start docker` (set DOCKER_HOST if it is not on the default socket); `npm run test:docker` does all of it and stops the engine again; ' +
  'or run without Docker: unset STACK (or STACK=local) and run `npm run setup` for the local stack, or STACK=external with the EXTERNAL_* variables (docs/stack.md, "external: an already running stack").';

export class DockerEngineUnavailable extends StackStartError {
  override name = 'DockerEngineUnavailable';
}

export function noEngineMessage(cause: string): string {
  return `STACK=docker needs a Docker engine, and none answers (testcontainers: ${cause}).\n${NO_ENGINE_FIX}`;
}

/** How long the engine may take to answer before the provider gives up. */
export const ENGINE_DEADLINE_MS = 5_000;

let testcontainers: Promise<Testcontainers> | undefined;
/** testcontainers is imported only in Docker mode (it costs most of a second). */
export function loadTestcontainers(): Promise<Testcontainers> {
  testcontainers ??= import('testcontainers');
  return testcontainers;
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * The container runtime client, or DockerEngineUnavailable within `deadlineMs`.
 * `connect` is testcontainers' getContainerRuntimeClient (replaceable in tests).
 */
export async function connectToEngine(
  deadlineMs = ENGINE_DEADLINE_MS,
  connect?: () => Promise<ContainerRuntimeClient>,
): Promise<ContainerRuntimeClient> {
  try {
    const attempt = connect ?? (await loadTestcontainers()).getContainerRuntimeClient;
    return await withDeadline(attempt(), deadlineMs, 'the Docker engine');
  } catch (error) {
    throw new DockerEngineUnavailable(noEngineMessage(error instanceof Error ? error.message : String(error)));
  }
}

/** For provider selection: does a Docker engine answer? */
export async function dockerEngineAnswers(deadlineMs = ENGINE_DEADLINE_MS): Promise<boolean> {
  try {
    await connectToEngine(deadlineMs);
    return true;
  } catch {
    return false;
  }
}

/** An error of `compose up`, with the likely fix. */
export function composeUpFailure(error: unknown, project: string): StackStartError {
  const text = error instanceof Error ? error.message : String(error);
  const hints: string[] = [];
  if (/is not a docker command|unknown command|compose is not installed|ENOENT/i.test(text)) {
    hints.push('Docker Compose v2 is needed: `docker compose version` must answer (install the docker-compose-plugin package, or Docker Desktop).');
  }
  if (/host-gateway/i.test(text)) hints.push('`host-gateway` in extra_hosts needs Docker Engine 20.10 or newer.');
  if (/pull access denied|manifest unknown|manifest for \S+ not found/i.test(text)) hints.push('An image could not be pulled: check the registry is reachable (quay.io for MinIO, Docker Hub for the rest).');
  if (/unhealthy|didn't complete successfully|exited with code/i.test(text)) {
    hints.push(`A service failed its health check or set-up: its log is in reports/logs/, or \`docker compose -p ${project} logs\` while it exists.`);
  }
  return new StackStartError(`the Docker stack (compose project ${project}) did not come up: ${text}${hints.length ? `\n${hints.join('\n')}` : ''}`);
}

// ------------------------------------------------------------------ the engine's settings

/** Written by `bash scripts/docker-engine.sh start`: DOCKER_HOST, DOCKER_CONFIG. */
export const ENGINE_ENV_FILE = join(ROOT, '.stack', 'docker', 'env');

/** The `export NAME=value` lines of an env file. Pure. */
export function parseEnvFile(text: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) found[match[1]!] = match[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return found;
}

/**
 * With no DOCKER_HOST, the engine scripts/docker-engine.sh set up: its variables go
 * into `env` (those already set are kept). Not when the file's socket is gone (the
 * engine was stopped): then the default engine is asked, as without the file.
 */
export function loadEngineEnv(env: NodeJS.ProcessEnv, log: (line: string) => void, file = ENGINE_ENV_FILE): void {
  if (env.DOCKER_HOST || !existsSync(file)) return;
  const found = parseEnvFile(readFileSync(file, 'utf8'));
  const socket = found.DOCKER_HOST?.startsWith('unix://') ? found.DOCKER_HOST.slice('unix://'.length) : undefined;
  if (socket && !existsSync(socket)) {
    log(`[stack] docker: ${file} names ${found.DOCKER_HOST}, which is gone (start it: bash scripts/docker-engine.sh start); asking the default engine`);
    return;
  }
  for (const [name, value] of Object.entries(found)) if (env[name] === undefined) env[name] = value;
  log(`[stack] docker: engine settings from ${file} (${Object.entries(found).map(([k, v]) => `${k}=${v}`).join(' ')})`);
}

/**
 * Inside a container (/.dockerenv) testcontainers takes the bridge gateway for the
 * host of published ports; this sets TESTCONTAINERS_HOST_OVERRIDE when that guess is
 * wrong, or stops at once with the fix when no address can work (hostOverrideFor).
 */
export async function settleHostOverride(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const dockerHost = env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  const socket = dockerHost.startsWith('unix://') ? dockerHost.slice('unix://'.length) : '';
  let procNetUnix = '';
  try {
    procNetUnix = readFileSync('/proc/net/unix', 'utf8');
  } catch {
    // Not Linux: no /.dockerenv question either.
  }
  const inContainer = existsSync('/.dockerenv');
  const engineInThisNetwork = socket !== '' && unixSocketListens(procNetUnix, socket);
  const value = hostOverrideFor({
    override: env.TESTCONTAINERS_HOST_OVERRIDE,
    inContainer,
    dockerHost,
    engineInThisNetwork,
    engineAnswers: inContainer && socket !== '' && !engineInThisNetwork && (await pingSocket(socket)),
    publishIp: publishIp(env),
  });
  if (value === undefined) return;
  env.TESTCONTAINERS_HOST_OVERRIDE = value;
  log(`[stack] docker: the suite runs in a container (/.dockerenv) and the engine at ${dockerHost} in its network: TESTCONTAINERS_HOST_OVERRIDE=${value}`);
}

/** Whether an engine answers GET /_ping at the unix socket within 3 s. */
function pingSocket(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 3_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** testcontainers' Ryuk image (testcontainers 11.14.0's default; RYUK_CONTAINER_IMAGE overrides, as in testcontainers). */
export function ryukImage(env: NodeJS.ProcessEnv): string {
  return env.RYUK_CONTAINER_IMAGE?.trim() || 'testcontainers/ryuk:0.14.0';
}

/** How long a pull of the Ryuk image may take before the suite cleans up by itself. */
export const RYUK_PULL_DEADLINE_MS = 20_000;

/**
 * Ryuk when its image can be had (present, or pulled within the deadline); otherwise
 * TESTCONTAINERS_RYUK_DISABLED=true and the suite's own clean-up
 * (support/stack/docker-cleanup.ts), said in one line. Returns whether Ryuk is used.
 */
export async function settleReaper(client: ContainerRuntimeClient, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<boolean> {
  const ownCleanUp = 'the suite removes its compose projects itself (after the run, on SIGINT/SIGTERM/SIGHUP; those of killed runs at the next start)';
  if (env.TESTCONTAINERS_RYUK_DISABLED === 'true') {
    log(`[stack] docker: Ryuk is off (TESTCONTAINERS_RYUK_DISABLED=true): ${ownCleanUp}`);
    return false;
  }
  const tc = await loadTestcontainers();
  const image = tc.ImageName.fromString(ryukImage(env));
  let why = '';
  try {
    if (await client.image.exists(image)) return true;
    await withDeadline(client.image.pull(image), RYUK_PULL_DEADLINE_MS, `the pull of ${image.string}`);
    return true;
  } catch (error) {
    // "(HTTP code 500) server error - Get ...: dial tcp: lookup registry-1.docker.io ...: no such host": the last part says why.
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
    why = message.split(': ').slice(-2).join(': ').slice(0, 120);
  }
  env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  log(`[stack] docker: Ryuk (${image.string}) cannot be had (${why}): ${ownCleanUp}`);
  return false;
}
