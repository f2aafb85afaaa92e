/**
 * Scenarios tagged @long start first (support/cucumber/long-scenarios-first.mjs), also with
 * --order random, which still shuffles the rest. Checked on the real features with
 * Cucumber's dry run: the order of the test cases in its message stream is the order in
 * which they are handed out.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/base/config.js';
import { longFirst } from '../support/cucumber/long-scenarios-first.mjs';

async function order(args: string[]): Promise<{ name: string; long: boolean }[]> {
  const out = join(mkdtempSync(join(tmpdir(), 'long-first-')), 'messages.ndjson');
  const child = spawn(join(ROOT, 'node_modules/.bin/cucumber-js'), ['--dry-run', '--format', `message:${relative(ROOT, out)}`, ...args], { cwd: ROOT, stdio: 'ignore' });
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  const envelopes = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const pickles = new Map(envelopes.filter((e) => e.pickle).map((e) => [e.pickle.id, e.pickle]));
  return envelopes
    .filter((e) => e.testCase)
    .map((e) => pickles.get(e.testCase.pickleId))
    .map((p) => ({ name: p.name, long: p.tags.some((t: { name: string }) => t.name === '@long') }));
}

test('longFirst moves @long ahead and keeps each group in the order given', () => {
  const p = (name: string, long = false) => ({ pickle: { name, tags: long ? [{ name: '@long' }] : [] } });
  const ordered = longFirst([p('a'), p('L1', true), p('b'), p('L2', true)]);
  assert.deepEqual(ordered.map((x: { pickle: { name: string } }) => x.pickle.name), ['L1', 'L2', 'a', 'b']);
});

test('in a real run the @long scenarios come first, in defined and in random order', async () => {
  for (const args of [[], ['--order', 'random:7'], ['--order', 'random:99']]) {
    const cases = await order(args);
    const longs = cases.filter((c) => c.long).length;
    assert.ok(longs >= 3, `at least the three scenarios known to be long are tagged @long (found ${longs})`);
    assert.ok(cases.slice(0, longs).every((c) => c.long), `${args.join(' ') || 'defined order'}: ${cases.slice(0, longs + 1).map((c) => c.name).join(' | ')}`);
  }
  const [a, b] = [await order(['--order', 'random:7']), await order(['--order', 'random:99'])];
  assert.notDeepEqual(a.map((c) => c.name), b.map((c) => c.name), 'random order still shuffles');
});
