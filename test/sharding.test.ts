/**
 * Sharding for CI (`cucumber-js --shard i/n`, .github/workflows/acceptance.yml): the
 * shards of a run together run every scenario exactly once. Checked on dry runs of
 * the default profile's selection (sharding happens before any hook runs, so no stack
 * is needed); `tools/shard-check.ts` checks real shard runs the same way.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from '../support/base/config.js';
import { readEnvelopes, scenarioResults, type ScenarioResult } from '../tools/ledger/results.js';
import { compareShards, describeComparison, scenarioKey, shardsAreExact } from '../tools/ledger/shards.js';
import { parse as parseYaml } from 'yaml';

const result = (uri: string, line: number): ScenarioResult => ({
  pickleId: `${uri}:${line}`, uri, name: `scenario ${line}`, line, tags: [], status: 'PASSED',
  message: null, fullMessage: null, failingStep: null, failingStepDetail: null, attempts: 1,
});
const a = result('features/a.feature', 5);
const b = result('features/a.feature', 9);
const c = result('features/b.feature', 12);

test('shard comparison: exact, missing, duplicated, unexpected, empty shard', () => {
  assert.ok(shardsAreExact(compareShards([a, b, c], [[a, c], [b]])));
  assert.match(describeComparison(compareShards([a, b, c], [[a, c], [b]])), /^3 scenarios; the 2 shards ran 2 \+ 1 = 3\nevery scenario ran exactly once$/);
  const missing = compareShards([a, b, c], [[a], [b]]);
  assert.deepEqual(missing.missing, ['features/b.feature:12']);
  const twice = compareShards([a, b, c], [[a, b], [b, c]]);
  assert.deepEqual(twice.duplicated, ['features/a.feature:9']);
  assert.match(describeComparison(twice), /in more than one shard: features\/a.feature:9\nsharding is NOT exact/);
  assert.deepEqual(compareShards([a, b], [[a], [b, c]]).unexpected, ['features/b.feature:12']);
  assert.ok(!shardsAreExact(compareShards([a, b], [[a, b], []])), 'an empty shard is not a useful shard');
  assert.equal(scenarioKey({ uri: 'f.feature', line: null, name: 'x' }), 'f.feature "x"');
});

const dir = mkdtempSync(join(tmpdir(), 'gmp-shards-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A dry run of the default profile, optionally one shard of it; returns the scenarios it ran. */
async function dryRun(name: string, shard?: string): Promise<ScenarioResult[]> {
  const output = join(dir, `${name}.ndjson`);
  const profile = parseYaml(readFileSync(join(ROOT, 'cucumber.yaml'), 'utf8')).default as Record<string, unknown>;
  const config = join(dir, `${name}.json`);
  // Paths relative to the working directory: cucumber-js 12 joins even absolute ones to it.
  writeFileSync(config, JSON.stringify({ default: { ...profile, format: [`message:${relative(ROOT, output)}`] } }));
  const args = ['--config', relative(ROOT, config), '--dry-run', ...(shard ? ['--shard', shard] : [])];
  const { code, text } = await new Promise<{ code: number | null; text: string }>((resolve) => {
    // A dry run runs no hook; STACK=external would make any that did fail rather than start a stack.
    const child = spawn(join(ROOT, 'node_modules/.bin/cucumber-js'), args, { cwd: ROOT, env: { ...process.env, STACK: 'external' } });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('close', (code) => resolve({ code, text }));
  });
  assert.equal(code, 0, `cucumber-js ${args.join(' ')} failed:\n${text}`);
  return scenarioResults(readEnvelopes(output));
}

test('--shard 1/2 + 2/2, and 1/3 + 2/3 + 3/3, run every scenario of the suite exactly once', async (t) => {
  const [all, ...shards] = await Promise.all([dryRun('all'), dryRun('s1of2', '1/2'), dryRun('s2of2', '2/2')]);
  assert.ok(all.length >= 10, `the suite has ${all.length} scenarios`);
  const halves = compareShards(all, shards);
  t.diagnostic(describeComparison(halves).replace(/\n/g, '; '));
  assert.ok(shardsAreExact(halves), describeComparison(halves));
  const thirds = compareShards(all, await Promise.all(['1/3', '2/3', '3/3'].map((s, i) => dryRun(`s${i + 1}of3`, s))));
  t.diagnostic(describeComparison(thirds).replace(/\n/g, '; '));
  assert.ok(shardsAreExact(thirds), describeComparison(thirds));
});
