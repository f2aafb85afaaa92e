/**
 * Reaching a Docker engine through testcontainers: a fast, clear failure when none answers
 * (with the fix), and the likely cause of a failed `compose up`. testcontainers itself is
 * imported only in Docker mode.
 */
import type { ContainerRuntimeClient } from 'testcontainers';
import { StackStartError } from './services.js';

export type Testcontainers = typeof import('testcontainers');

export const NO_ENGINE_FIX =
  'Fix: start a Docker engine with Compose v2 (Docker Desktop, or `sudo systemctl start docker`; set DOCKER_HOST if it is not on the default socket) until `docker info` answers; ' +
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
