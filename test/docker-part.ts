/**
 * The Docker part of an own test that also runs on the local stack: it needs an engine
 * that answers and the proxy image (npm run docker:build). Under `npm test` without them it
 * is skipped, saying why; under `npm run test:docker` (GMP_DOCKER_TESTS=1, which runs these
 * tests after building the images) their absence fails the test.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { loadEngineEnv } from '../support/stack/docker-engine.js';

/** Why the Docker part cannot run here, or undefined when it can. */
export function dockerCannotRun(): string | undefined {
  const engineEnv: NodeJS.ProcessEnv = { ...process.env };
  loadEngineEnv(engineEnv, () => {});
  const image = spawnSync('docker', ['image', 'ls', '-q', 'gmp-acceptance/proxy:0.7.0'], { env: engineEnv, encoding: 'utf8', timeout: 10_000 });
  if (image.status !== 0) return `no Docker engine answers (${(image.stderr || String(image.error)).trim()})`;
  if (!image.stdout.trim()) return 'the engine lacks the image gmp-acceptance/proxy:0.7.0 (npm run docker:build)';
  return undefined;
}

/**
 * True when the Docker part may go on; then the engine's variables are in process.env, where
 * testcontainers reads them. Otherwise the test is skipped (or fails under GMP_DOCKER_TESTS=1).
 */
export function dockerPartMayRun(t: TestContext): boolean {
  const cannotRun = dockerCannotRun();
  if (cannotRun) {
    if (process.env.GMP_DOCKER_TESTS === '1') assert.fail(cannotRun);
    t.skip(`${cannotRun}; this part runs under \`npm run test:docker\``);
    return false;
  }
  loadEngineEnv(process.env, () => {});
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  return true;
}
