/**
 * The scenarios of the feature files that the ledger names, read from disk with Cucumber's
 * own Gherkin parser, whatever the run selected: what entriesWithoutScenario
 * (support/base/ledger-rules.ts) checks every entry against.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AstBuilder, compile, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator } from '@cucumber/messages';
import type { LedgerEntry } from '../../support/base/ledger.js';

/** The scenario (pickle) names of each feature file the ledger names; undefined for a file that cannot be read. */
export function scenariosOnDisk(root: string, ledger: readonly LedgerEntry[]): (feature: string) => ReadonlySet<string> | undefined {
  const byFeature = new Map<string, ReadonlySet<string> | undefined>();
  const newId = IdGenerator.incrementing();
  for (const feature of new Set(ledger.map((e) => e.feature))) {
    let text: string;
    try {
      text = readFileSync(join(root, feature), 'utf8');
    } catch {
      byFeature.set(feature, undefined);
      continue;
    }
    try {
      const document = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher()).parse(text);
      byFeature.set(feature, new Set(compile({ ...document, uri: feature }, feature, newId).map((p) => p.name)));
    } catch {
      // A file that does not parse has no scenario to name (a run that includes it fails on it).
      byFeature.set(feature, new Set());
    }
  }
  return (feature) => byFeature.get(feature);
}
