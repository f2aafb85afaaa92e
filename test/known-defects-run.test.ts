/**
 * The ledger judged inside the Cucumber run (support/cucumber/known-defects.ts), through
 * real cucumber-js on the fixture features of test/fixtures/known-defects with a test
 * double of the ledger: the exit code, the one-line reasons, the JUnit file, and the
 * judgement attached to each scenario under the ledger, which the verdict counts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../support/base/config.js';
import { loadLedger } from '../support/base/ledger.js';
import { readEnvelopes, scenarioResults } from '../tools/ledger/results.js';
import { verdictOf } from '../tools/ledger/verdict.js';

const FIXTURE = join(ROOT, 'test/fixtures/known-defects');
const LEDGER = join(FIXTURE, 'known-defects.yaml');

async function cucumber(tags: string): Promise<{ code: number | null; out: string; junit: string; messages: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'kd-run-'));
  const junit = join(dir, 'junit.xml');
  const messages = join(dir, 'messages.ndjson');
  const args = [
    '--config', relative(ROOT, join(FIXTURE, 'cucumber.json')),
    '--tags', tags,
    '--format', `./support/reporting/junit-known-defects.mjs:${relative(ROOT, junit)}`,
    '--format', `message:${relative(ROOT, messages)}`,
  ];
  const child = spawn(join(ROOT, 'node_modules/.bin/cucumber-js'), args, {
    cwd: ROOT,
    env: { ...process.env, KNOWN_DEFECTS_LEDGER: LEDGER, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, out, junit: readFileSync(junit, 'utf8'), messages };
}

describe('the ledger judged inside the run', { concurrency: true }, () => {
  test('a known defect that fails as expected does not fail the run; JUnit shows it skipped with the defect', async () => {
    const run = await cucumber('@ordinary or @confirmed');
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /2 scenarios \(1 skipped, 1 passed\)/);
    assert.match(run.junit, /failures="0"/);
    assert.match(run.junit, /skipped="1"/);
    assert.match(run.junit, /<skipped><!\[CDATA\[Known defect "missing-date" \(expected failure\): The proxy writes no Date header\./);
    // The judgement travels with the scenario in the message stream; the ordinary scenario carries none.
    const results = scenarioResults(readEnvelopes(run.messages));
    assert.deepEqual(
      results.map((r) => [r.name, r.judgement?.outcome ?? null]),
      [['An ordinary scenario that works', null], ['A known defect that fails as the ledger expects', 'confirmed']],
    );
    const verdict = verdictOf(results, loadLedger(LEDGER));
    assert.deepEqual(verdict.counts, { passed: 1, failed: 0, confirmed: 1, unexpectedPasses: 0, changedFailures: 0 });
  });

  const failing: [tags: string, reason: RegExp, classification: string][] = [
    ['@fixed', /Unexpected pass of known defect "fixed-defect": the scenario passed\. If the release fixed it, remove the @known-defect tag/, 'unexpected-pass'],
    ['@changed', /Changed failure of known defect "changed-defect": the failure does not match expected_failure\. Fix the cause, or .* update expected_failure/, 'changed-failure'],
    ['@no-entry', /is tagged @known-defect but known-defects\.yaml has no entry for it: add one, or remove the tag\./, 'changed-failure'],
    ['@untagged', /known-defects\.yaml entry "untagged-defect" names .*, which is not tagged @known-defect: tag it, or remove the entry\./, 'changed-failure'],
    ['@ordinary-broken', /something else broke/, 'failed'],
  ];
  for (const [tags, reason, classification] of failing) {
    test(`${tags}: the run fails and says what to do; the verdict agrees (${classification})`, async () => {
      const run = await cucumber(tags);
      assert.equal(run.code, 1, run.out);
      assert.match(run.out, reason);
      assert.match(run.junit, /failures="1"/);
      const results = scenarioResults(readEnvelopes(run.messages));
      // The run judged every scenario under the ledger; the verdict counts that judgement.
      assert.equal(results[0]?.judgement?.outcome ?? 'none', tags === '@ordinary-broken' ? 'none' : classification);
      const verdict = verdictOf(results, loadLedger(LEDGER));
      assert.equal(verdict.items.length, 1);
      assert.equal(verdict.items[0]!.classification, classification);
    });
  }
});
