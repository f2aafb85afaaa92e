/**
 * The suite's own files agree with each other: the CSV fixtures load (bounce rows only
 * for the bounce features, which pass allowBounces), and the ledger and the feature
 * files name the same known defects, in both directions.
 */
import { AstBuilder, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator } from '@cucumber/messages';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/base/config.js';
import { loadCsvScenarios } from '../support/mail/csv-fixture.js';
import { loadLedger } from '../support/base/ledger.js';

interface ScenarioInfo { feature: string; name: string; tags: string[] }

function scenarios(): ScenarioInfo[] {
  const parser = new Parser(new AstBuilder(IdGenerator.uuid()), new GherkinClassicTokenMatcher());
  const out: ScenarioInfo[] = [];
  for (const file of readdirSync(join(ROOT, 'features')).filter((f) => f.endsWith('.feature'))) {
    const feature = `features/${file}`;
    const doc = parser.parse(readFileSync(join(ROOT, feature), 'utf8'));
    const featureTags = doc.feature?.tags.map((t) => t.name) ?? [];
    for (const child of doc.feature?.children ?? []) {
      if (child.scenario) out.push({ feature, name: child.scenario.name, tags: [...featureTags, ...child.scenario.tags.map((t) => t.name)] });
    }
  }
  return out;
}

test('the delivery CSV fixture loads; the bounce fixture loads only for the bounce features', () => {
  const rows = loadCsvScenarios(join(ROOT, 'features/fixtures/delivery-scenarios.csv'));
  assert.ok(rows.length >= 4);
  assert.ok(rows.every((r) => r.simulateBounce === null), 'the delivery fixture simulates no bounce');
  const bounces = loadCsvScenarios(join(ROOT, 'features/fixtures/bounce-scenarios.csv'), { allowBounces: true });
  assert.deepEqual(bounces.map((r) => [r.id, r.simulateBounce, r.expectedStatus]), [['hard-bounce', 'hard', 'sent'], ['soft-bounce', 'soft', 'sent']]);
  // Anywhere else (without allowBounces) the loader still refuses bounce rows.
  assert.throws(() => loadCsvScenarios(join(ROOT, 'features/fixtures/bounce-scenarios.csv')), /simulate_bounce=hard/);
});

test('the bounce fixture runs in a bounce feature scenario, and only there', () => {
  const text = readdirSync(join(ROOT, 'features')).filter((f) => f.endsWith('.feature'))
    .map((f) => ({ f, body: readFileSync(join(ROOT, 'features', f), 'utf8') }))
    .filter(({ body }) => body.includes('bounce-scenarios.csv') && /^\s*(Given|And|When)\b.*"bounce-scenarios\.csv"/m.test(body));
  assert.deepEqual(text.map(({ f }) => f), ['bounces.feature']);
});

test('every @known-defect scenario has a ledger entry, and every entry names a tagged scenario', () => {
  const all = scenarios();
  const ledger = loadLedger(join(ROOT, 'known-defects.yaml'));
  const tagged = all.filter((s) => s.tags.includes('@known-defect'));
  for (const s of tagged) {
    assert.ok(ledger.some((e) => e.feature === s.feature && e.scenario === s.name), `no ledger entry for "${s.name}" (${s.feature})`);
  }
  for (const e of ledger) {
    const match = all.find((s) => s.feature === e.feature && s.name === e.scenario);
    assert.ok(match, `ledger entry ${e.id} names no scenario: "${e.scenario}" in ${e.feature}`);
    assert.ok(match.tags.includes('@known-defect'), `ledger entry ${e.id}: "${e.scenario}" is not tagged @known-defect`);
  }
});

test('scenario names are unique across the features (the ledger keys on them)', () => {
  const names = scenarios().map((s) => s.name);
  assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), []);
});
