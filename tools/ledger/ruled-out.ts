/**
 * Assertions of ordinary scenarios that the ledger itself rules out.
 *
 * A known defect's `when_fixed` says what a correct proxy gives; where it says that a
 * secret is never handed back ("none of them contains the IMAP password", "without the
 * token", "never its aws_secret_access_key"), an ordinary scenario (not @known-defect)
 * that asserts such a secret IS read back from the API contradicts it: the suite would
 * ask two opposite things of the same proxy.
 *
 * The check reads the Gherkin text only, and is meant to be plain and predictable:
 *
 *  - a step is an assertion when it belongs to the scenario's Then part (Then, and the
 *    And/But steps after it);
 *  - it asserts a read-back when it uses a verb of reading back (reads back, returns,
 *    lists, shows, gives back, contains, …);
 *  - it names a secret: password, key, token, secret, or credentials/login (a login is a
 *    user and its password);
 *  - it is not negated (never, no, not, none, nor, without, cannot): "none of these
 *    answers contains the password" is the rule itself, not a breach of it.
 *
 * Quoted text (message aliases such as "secret") is left out, and a Scenario Outline's
 * steps are read once per Examples row, placeholders filled in. What a step definition
 * does behind words that name no secret is not seen here.
 */
import { AstBuilder, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator, type Scenario, type Step } from '@cucumber/messages';
import type { LedgerEntry } from '../../support/base/ledger.js';

/** Words that name a secret in a step, and the secret the ledger's words for it cover. */
const SECRET_WORDS = /\b(passwords?|keys?|tokens?|secrets?|credentials|logins?)\b/i;
/** Verbs that say the answer itself holds what they name. */
const READ_BACK = /\b(reads? back|read back|returns?|returned|gives? back|given back|hands? back|reveals?)\b/i;
/** Verbs that may name a secret handed back, or only something read while using one ("lists its accounts with its key"). */
const MAY_READ_BACK = /\b(lists?|listed|shows?|shown|answers? with|describes?|contains?|includes?)\b/i;
/** A secret in use: "with the key it got", "with its token". */
const IN_USE = /\bwith (?:the|its|a|an|their|that|this)\b[^,]*?\b(passwords?|keys?|tokens?|secrets?|credentials|logins?)\b/i;
const NEGATION = /\b(never|no|not|none|nor|without|cannot|neither)\b|n't\b/i;
/** A when_fixed sentence that forbids handing a secret back. */
const FORBIDS_SECRET = /\b(none of (?:them|these|the answers)|neither|without|never|no read|not contain|nor)\b[^.]*?(password|token|key|secret)/i;

export interface FeatureText {
  /** Path from the repository root, e.g. features/pec.feature. */
  path: string;
  text: string;
}

export interface RuledOutAssertion {
  feature: string;
  line: number;
  scenario: string;
  step: string;
  /** The ledger entries whose when_fixed forbids returning a secret. */
  ruledOutBy: string[];
}

/** The ledger entries whose when_fixed says a secret is never handed back. */
export function entriesForbiddingSecrets(ledger: readonly Pick<LedgerEntry, 'id' | 'whenFixed'>[]): string[] {
  return ledger.filter((e) => FORBIDS_SECRET.test(e.whenFixed)).map((e) => e.id);
}

/** True when the step's words assert that a secret is read back from the API. */
export function assertsSecretReadBack(stepText: string): boolean {
  const words = stepText.replace(/"[^"]*"/g, '""');
  if (!SECRET_WORDS.test(words) || NEGATION.test(words)) return false;
  // "is listed with its key" hands the key back; "can list its accounts with the key it got" uses it.
  const passive = /\b(listed|shown)\b/i.test(words);
  return READ_BACK.test(words) || (MAY_READ_BACK.test(words) && (passive || !IN_USE.test(words)));
}

/** The Then-part steps of a scenario, once per Examples row for an outline, placeholders filled. */
function assertionSteps(scenario: Scenario): { step: Step; text: string }[] {
  const steps: Step[] = [];
  let inThen = false;
  for (const step of scenario.steps) {
    if (step.keywordType === 'Outcome') inThen = true;
    else if (step.keywordType === 'Context' || step.keywordType === 'Action') inThen = false;
    if (inThen) steps.push(step);
  }
  const rows = scenario.examples.flatMap((ex) => {
    const header = ex.tableHeader?.cells.map((c) => c.value) ?? [];
    return ex.tableBody.map((row) => Object.fromEntries(header.map((h, i) => [h, row.cells[i]?.value ?? ''])));
  });
  const fill = (text: string, row: Record<string, string>) => text.replace(/<([^>]+)>/g, (all, name: string) => row[name] ?? all);
  return steps.flatMap((step) => {
    const table = step.dataTable ? ` ${step.dataTable.rows.map((r) => r.cells.map((c) => c.value).join(' ')).join(' ')}` : '';
    const text = `${step.text}${table}`;
    return rows.length === 0 ? [{ step, text }] : rows.map((row) => ({ step, text: fill(text, row) }));
  });
}

/**
 * Every step of an ordinary scenario that asserts a secret is read back from the API,
 * when the ledger has an entry whose when_fixed forbids it.
 */
export function ruledOutAssertions(features: readonly FeatureText[], ledger: readonly Pick<LedgerEntry, 'id' | 'whenFixed'>[]): RuledOutAssertion[] {
  const rulers = entriesForbiddingSecrets(ledger);
  if (rulers.length === 0) return [];
  const parser = new Parser(new AstBuilder(IdGenerator.uuid()), new GherkinClassicTokenMatcher());
  const found: RuledOutAssertion[] = [];
  for (const { path, text } of features) {
    const feature = parser.parse(text).feature;
    if (!feature) continue;
    const featureTags = feature.tags.map((t) => t.name);
    const scenarios = feature.children.flatMap((child) => [child.scenario, ...(child.rule?.children.map((c) => c.scenario) ?? [])]);
    for (const scenario of scenarios) {
      if (!scenario || [...featureTags, ...scenario.tags.map((t) => t.name)].includes('@known-defect')) continue;
      for (const { step, text: words } of assertionSteps(scenario)) {
        if (assertsSecretReadBack(words)) {
          found.push({ feature: path, line: step.location.line, scenario: scenario.name, step: `${step.keyword.trim()} ${words}`, ruledOutBy: rulers });
        }
      }
    }
  }
  return found;
}

/** One line per finding, for a failing test. */
export function describeRuledOut(found: readonly RuledOutAssertion[]): string[] {
  return found.map(
    (f) => `${f.feature}:${f.line} "${f.scenario}": "${f.step}" asserts a secret is read back from the API, which the when_fixed of ${f.ruledOutBy.join(', ')} rules out; show the secret in use another way (at the server it logs in to), or assert it is absent`,
  );
}
