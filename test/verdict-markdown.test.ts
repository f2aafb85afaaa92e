import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/base/config.js';
import { loadLedger } from '../support/base/ledger.js';
import { ledgerMarkdown, verdictMarkdown } from '../tools/ledger/markdown.js';
import { readEnvelopes, runProblems, scenarioResults } from '../tools/ledger/results.js';
import { verdictOf } from '../tools/ledger/verdict.js';

const fixtures = join(ROOT, 'test/fixtures/verdict');

function verdictFrom(ndjson: string) {
  const envelopes = readEnvelopes(join(fixtures, ndjson));
  const ledger = loadLedger(join(fixtures, 'known-defects.yaml'));
  return { ledger, verdict: verdictOf(scenarioResults(envelopes), ledger, runProblems(envelopes)) };
}

test('the Markdown verdict has the counts, what needs attention, and the confirmed defects with their SUT reference', () => {
  const { verdict } = verdictFrom('run-with-retry.ndjson');
  // The fixture holds every kind of outcome, so the loops below check something.
  assert.ok(verdict.confirmed.length > 0 && verdict.failed.length > 0 && verdict.unexpectedPasses.length > 0 && verdict.changedFailures.length > 0);
  const md = verdictMarkdown(verdict, 'genro-mail-proxy 9.9.9');
  assert.match(md, /^# Acceptance verdict/);
  assert.match(md, /SUT: genro-mail-proxy 9\.9\.9\./);
  assert.ok(md.includes(`- acceptance: ${verdict.counts.passed} passed, ${verdict.counts.failed} failed`));
  for (const j of verdict.confirmed) {
    assert.ok(md.includes(j.entry!.id) && md.includes(j.entry!.sutRef.replace(/\|/g, '\\|')), `confirmed ${j.entry!.id} listed with its reference`);
  }
  for (const j of [...verdict.failed, ...verdict.unexpectedPasses, ...verdict.changedFailures]) {
    assert.ok(md.includes(j.result.name), `${j.result.name} is listed under "Needs attention"`);
  }
});

test('the ledger page lists every entry with its status on this run', () => {
  const { verdict, ledger } = verdictFrom('run-with-retry.ndjson');
  const md = ledgerMarkdown(ledger, verdict, 'genro-mail-proxy 9.9.9');
  const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| behaviour') && !l.startsWith('| ---'));
  assert.equal(rows.length, ledger.length);
  for (const j of verdict.confirmed) assert.ok(rows.some((r) => r.includes(j.entry!.scenario) && r.includes('still broken')));
  for (const j of verdict.unexpectedPasses) assert.ok(rows.some((r) => r.includes(j.entry!.scenario) && r.includes('WORKS NOW')));
  for (const e of verdict.notRun) assert.ok(rows.some((r) => r.includes(e.scenario) && r.includes('not run')));
});
