/**
 * SUT_VERSION names one of the releases the suite runs (versions.json, sut.supported);
 * any other is refused in one line that names them, before anything is downloaded,
 * built or started, and leaves no folder behind: by the install (npm run acceptance,
 * npm run setup), by Docker mode's image build, and by a run (the stack providers).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT, STACK_DIR, supportedSutVersions, sutVersionRefusal } from '../support/base/config.js';
import { createProvider } from '../support/stack/session.js';
import { loadConfig } from '../support/base/config.js';

const versions = JSON.parse(readFileSync(join(ROOT, 'versions.json'), 'utf8')) as { sut: { version: string; supported: string[] } };
const refusal = (version: string) =>
  `SUT_VERSION=${version} is not a release this suite runs; it runs genro-mail-proxy ${versions.sut.supported.join(', ')} (versions.json, sut.supported; see docs/stack.md, 'Another version of the SUT')`;

function script(path: string, env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('bash', [path], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('the supported releases are listed in one place, and include the default', () => {
  assert.deepEqual(supportedSutVersions(), versions.sut.supported);
  assert.ok(versions.sut.supported.includes(versions.sut.version));
  assert.equal(sutVersionRefusal({ SUT_VERSION: versions.sut.version }), undefined);
  assert.equal(sutVersionRefusal({}), undefined);
  // A working tree wins over SUT_VERSION, as in scripts/install.sh.
  assert.equal(sutVersionRefusal({ SUT_VERSION: '9.9.9', SUT_SOURCE: '/src/gmp' }), undefined);
  assert.equal(sutVersionRefusal({ SUT_VERSION: ' 0.6.10 ' }), refusal('0.6.10'));
});

for (const version of ['9.9.9', '0.6.10']) {
  test(`the install refuses SUT_VERSION=${version} in one line, before downloading anything, and leaves no folder`, () => {
    const run = script('scripts/install.sh', { SUT_VERSION: version, INSTALL_SCOPE: 'acceptance' });
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stdout, '', 'no step was started');
    assert.equal(run.stderr, `[install] ERROR: ${refusal(version)}\n`);
    assert.equal(existsSync(join(STACK_DIR, 'sut', `pypi-${version}`)), false, `.stack/sut/pypi-${version} is not made`);
  });
}

test("Docker mode's image build refuses it the same way, before asking for an engine", () => {
  const run = script('scripts/docker-build.sh', { SUT_VERSION: '9.9.9' });
  assert.equal(run.status, 1, run.stderr);
  assert.equal(run.stderr, `[docker:build] ERROR: ${refusal('9.9.9')}\n`);
});

test('a run refuses it on the local and the Docker stack, before anything is looked for or started', () => {
  for (const name of ['local', 'docker'] as const) {
    assert.throws(() => createProvider({ name, reason: 'test' }, loadConfig({}), { SUT_VERSION: '9.9.9' }, 'serial'), (error: Error) => {
      assert.equal(error.message, refusal('9.9.9'));
      return true;
    });
  }
});
