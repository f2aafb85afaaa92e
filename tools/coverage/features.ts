/**
 * The scenarios of the feature files, as Cucumber sees them: parsed with @cucumber/gherkin
 * and compiled to pickles, so that inherited tags (feature, rule, examples) count. Each
 * scenario keeps the line of its `Scenario:` keyword, which docs/coverage.md cites.
 *
 * Cucumber's default selection is the `tags` of the default profile in cucumber.yaml. It
 * is read from there; only the form "not @a and not @b ..." is understood, and any other
 * form is an error here rather than a silent mismatch.
 */
import { AstBuilder, compile, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator, type GherkinDocument } from '@cucumber/messages';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface FeatureScenario {
  /** Path from the repository root: features/delivery.feature. */
  feature: string;
  /** The scenario's name, exactly as written. */
  name: string;
  /** 1-based line of the `Scenario:` keyword. */
  line: number;
  /** Every tag the scenario carries, its own and inherited. */
  tags: string[];
  /** Whether Cucumber's default profile runs it. */
  inDefaultRun: boolean;
}

/** The tags the default profile of cucumber.yaml excludes ("not @wip and not @load" gives ['@wip', '@load']). */
export function excludedByDefault(root: string): string[] {
  const profiles = parseYaml(readFileSync(join(root, 'cucumber.yaml'), 'utf8')) as { default?: { tags?: string } };
  return excludedTags(profiles.default?.tags ?? '');
}

export function excludedTags(expression: string): string[] {
  if (expression.trim() === '') return [];
  const terms = expression.trim().split(/\s+and\s+/);
  return terms.map((term) => {
    const tag = /^not\s+(@[\w-]+)$/.exec(term.trim())?.[1];
    if (!tag) throw new Error(`cucumber.yaml: the default tags "${expression}" are not of the form "not @a and not @b"; teach tools/coverage/features.ts the new form`);
    return tag;
  });
}

/** The scenarios of a parsed feature as written (name and line), by AST node id. */
function scenarioLines(doc: GherkinDocument): Map<string, { name: string; line: number }> {
  const lines = new Map<string, { name: string; line: number }>();
  const scenarios = (doc.feature?.children ?? []).flatMap((child) => [child.scenario, ...(child.rule?.children ?? []).map((c) => c.scenario)]);
  for (const scenario of scenarios) if (scenario) lines.set(scenario.id, { name: scenario.name, line: scenario.location.line });
  return lines;
}

/** The scenarios of one feature text (an outline gives one entry, at the outline's line, with its name as written and the tags of its first example). */
export function parseFeature(feature: string, text: string, excluded: readonly string[]): FeatureScenario[] {
  const newId = IdGenerator.incrementing();
  const doc = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher()).parse(text);
  const lines = scenarioLines(doc);
  const out = new Map<number, FeatureScenario>();
  for (const pickle of compile(doc, feature, newId)) {
    const written = lines.get(pickle.astNodeIds[0]!);
    if (written === undefined) throw new Error(`${feature}: no scenario line for "${pickle.name}"`);
    const { name, line } = written;
    const tags = pickle.tags.map((t) => t.name);
    const inDefaultRun = !tags.some((t) => excluded.includes(t));
    const known = out.get(line);
    if (known) known.inDefaultRun ||= inDefaultRun;
    else out.set(line, { feature, name, line, tags, inDefaultRun });
  }
  return [...out.values()];
}

/** Every scenario under features/, in file order. */
export function featureScenarios(root: string): FeatureScenario[] {
  const excluded = excludedByDefault(root);
  return readdirSync(join(root, 'features'))
    .filter((f) => f.endsWith('.feature'))
    .sort()
    .flatMap((file) => parseFeature(`features/${file}`, readFileSync(join(root, 'features', file), 'utf8'), excluded));
}
