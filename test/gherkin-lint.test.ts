import { execFile } from 'node:child_process';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../support/base/config.js';

const run = promisify(execFile);
const lint = (dir: string) =>
  run(join(ROOT, 'node_modules/.bin/gherkin-lint'), ['-c', '.gherkin-lintrc', '-r', 'lint/gherkin-rules', dir], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });

test('the features pass the Gherkin linter', async () => {
  await assert.doesNotReject(lint('features'));
});

test('the linter catches each rule the features must keep', async () => {
  const error = (await lint('test/fixtures/gherkin').then(() => assert.fail('the bad fixtures passed'), (e: { stdout: string; stderr: string }) => e)) as { stdout: string; stderr: string };
  const out = (error.stdout + error.stderr).replace(/\x1b\[[0-9;]*m/g, '');
  for (const rule of ['no-dupe-feature-names', 'no-dupe-scenario-names', 'feature-description', 'no-empty-scenarios']) {
    assert.match(out, new RegExp(rule), `${rule} fired`);
  }
  assert.match(out, /http:\/\/127\.0\.0\.1:8000 is up" matches restricted pattern/, 'a raw URL in step text');
  assert.match(out, /posts \{"id": "m1"\}" matches restricted pattern/, 'JSON in step text');
  assert.match(out, /port 1025 has it" matches restricted pattern/, 'a port in step text');
});
