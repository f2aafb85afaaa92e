// The known-defect ledger (known-defects.yaml at the repo root).
//
// Every scenario tagged @known-defect has exactly one entry here saying which
// defect of the system under test it demonstrates and how the scenario is
// expected to fail. This file reads and validates the ledger; its rules, how a
// scenario is judged against it, are support/base/ledger-rules.ts.
import { readFileSync } from 'node:fs';
import { ProblemsError } from './problems-error.js';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';

/** The fields of one ledger entry, as spelled in the YAML file. */
export const LEDGER_FIELDS = ['id', 'feature', 'scenario', 'defect', 'when_fixed', 'sut_ref', 'expected_failure'] as const;
export type LedgerField = (typeof LEDGER_FIELDS)[number];

/** Flags used to compile `expected_failure` ('s': `.` also matches newlines; case-sensitive). */
export const EXPECTED_FAILURE_FLAGS = 's';

export interface LedgerEntry {
  /** Unique kebab-case id, e.g. `no-date-header`. */
  id: string;
  /** Feature file path relative to the repo root, e.g. `features/delivery.feature`. */
  feature: string;
  /** Exact scenario (pickle) name. */
  scenario: string;
  /** One sentence describing the defect. */
  defect: string;
  /** What a correct proxy gives instead: the whole observable outcome its scenario asserts. */
  whenFixed: string;
  /** Where the defect lives in the SUT (map section, source lines). */
  sutRef: string;
  /** JavaScript RegExp source matched against the failing step's error message. */
  expectedFailure: string;
  /** 0-based position in the `defects:` list. */
  index: number;
  /** 1-based line of the entry in the ledger file, when known. */
  line: number | null;
}

/** One line per problem; each names the file, the entry and the field. */
export class LedgerError extends ProblemsError {
  constructor(problems: string[]) {
    super('LedgerError', problems);
  }
}

const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Compiles an entry's `expected_failure` with the ledger's flags. */
export function expectedFailurePattern(entry: Pick<LedgerEntry, 'expectedFailure'>): RegExp {
  return new RegExp(entry.expectedFailure, EXPECTED_FAILURE_FLAGS);
}

/** Normalises a feature path so that ledger paths and pickle uris compare equal. */
export function normalizeFeaturePath(p: string): string {
  let out = p.trim().replace(/\\/g, '/');
  while (out.startsWith('./')) out = out.slice(2);
  return out.replace(/\/{2,}/g, '/');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

export function loadLedger(path: string): LedgerEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new LedgerError([`${path}: cannot read the known-defect ledger: ${reason}`]);
  }
  return parseLedger(text, path);
}

/**
 * Parses and validates the ledger text. `path` is only used in error
 * messages. Throws LedgerError listing every problem found.
 */
export function parseLedger(text: string, path: string): LedgerEntry[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new LedgerError(doc.errors.map((e) => `${path}: invalid YAML: ${e.message.trim()}`));
  }

  const expectedShape = 'the ledger must be a mapping with a single key "defects:" holding a list (write "defects: []" when there are none)';
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    throw new LedgerError([`${path}: the file is empty; ${expectedShape}`]);
  }
  if (!isMap(root)) {
    throw new LedgerError([`${path}: top level is ${describe(doc.toJS())}; ${expectedShape}`]);
  }

  const problems: string[] = [];
  const data = doc.toJS() as Record<string, unknown>;
  for (const key of Object.keys(data)) {
    if (key !== 'defects') problems.push(`${path}: unknown top-level key "${key}"; ${expectedShape}`);
  }
  if (!('defects' in data)) {
    throw new LedgerError([...problems, `${path}: key "defects" is missing; ${expectedShape}`]);
  }
  const list = data['defects'];
  if (!Array.isArray(list)) {
    throw new LedgerError([...problems, `${path}: "defects" is ${describe(list)}, not a list; ${expectedShape}`]);
  }

  const seqNode = root.get('defects', true);
  const itemLine = (i: number): number | null => {
    if (!isSeq(seqNode)) return null;
    const node = seqNode.items[i];
    const range = node !== null && typeof node === 'object' && 'range' in node ? node.range : undefined;
    if (!Array.isArray(range) || typeof range[0] !== 'number') return null;
    const pos = lineCounter.linePos(range[0]);
    return pos.line > 0 ? pos.line : null;
  };

  const entries: LedgerEntry[] = [];
  const byId = new Map<string, LedgerEntry>();
  const byScenario = new Map<string, LedgerEntry>();

  list.forEach((raw: unknown, index: number) => {
    const line = itemLine(index);
    const rawId = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>)['id'] : undefined;
    const idPart = typeof rawId === 'string' && rawId.trim() !== '' ? `, id "${rawId}"` : '';
    const where = `${path}: defects[${index}] (entry ${index + 1}${idPart}${line !== null ? `, line ${line}` : ''})`;

    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(`${where}: each entry must be a mapping with the fields ${LEDGER_FIELDS.join(', ')}; got ${describe(raw)}`);
      return;
    }
    const obj = raw as Record<string, unknown>;
    const before = problems.length;

    for (const key of Object.keys(obj)) {
      if (!(LEDGER_FIELDS as readonly string[]).includes(key)) {
        problems.push(`${where}: field "${key}" is not a ledger field (allowed: ${LEDGER_FIELDS.join(', ')})`);
      }
    }
    const values = {} as Record<LedgerField, string>;
    for (const field of LEDGER_FIELDS) {
      const value = obj[field];
      if (value === undefined) {
        problems.push(`${where}: field "${field}" is missing`);
      } else if (typeof value !== 'string') {
        problems.push(`${where}: field "${field}" must be a string, got ${describe(value)}`);
      } else if (value.trim() === '') {
        problems.push(`${where}: field "${field}" is empty`);
      } else {
        values[field] = value;
      }
    }
    if (problems.length > before) return;

    if (!KEBAB_CASE.test(values.id)) {
      problems.push(`${where}: field "id" must be kebab-case (lowercase letters, digits and single dashes), got ${JSON.stringify(values.id)}`);
    }
    const feature = normalizeFeaturePath(values.feature);
    if (feature.startsWith('/') || /^[A-Za-z]:\//.test(feature) || feature.split('/').includes('..')) {
      problems.push(`${where}: field "feature" must be a path relative to the repo root (e.g. features/delivery.feature), got ${JSON.stringify(values.feature)}`);
    } else if (!feature.endsWith('.feature')) {
      problems.push(`${where}: field "feature" must name a .feature file, got ${JSON.stringify(values.feature)}`);
    }
    if (values.scenario !== values.scenario.trim()) {
      problems.push(`${where}: field "scenario" has leading or trailing whitespace; it must be the exact scenario name`);
    }
    try {
      expectedFailurePattern({ expectedFailure: values.expected_failure });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      problems.push(`${where}: field "expected_failure" is not a valid JavaScript RegExp (flags "${EXPECTED_FAILURE_FLAGS}"): ${reason}`);
    }
    if (problems.length > before) return;

    const entry: LedgerEntry = {
      id: values.id,
      feature,
      scenario: values.scenario,
      defect: values.defect,
      whenFixed: values.when_fixed,
      sutRef: values.sut_ref,
      expectedFailure: values.expected_failure,
      index,
      line,
    };
    const sameId = byId.get(entry.id);
    if (sameId !== undefined) {
      problems.push(`${where}: field "id": duplicate id "${entry.id}" (already used by defects[${sameId.index}])`);
      return;
    }
    const scenarioKey = `${feature}\u0000${entry.scenario}`;
    const sameScenario = byScenario.get(scenarioKey);
    if (sameScenario !== undefined) {
      problems.push(
        `${where}: field "scenario": ${feature} / "${entry.scenario}" already has an entry (defects[${sameScenario.index}], id "${sameScenario.id}")`,
      );
      return;
    }
    byId.set(entry.id, entry);
    byScenario.set(scenarioKey, entry);
    entries.push(entry);
  });

  if (problems.length > 0) throw new LedgerError(problems);
  return entries;
}

const STACK_FRAME = /^\s+at\s.*(?::\d+:\d+\)?|\((?:native|<anonymous>)\))$/;

/**
 * The error message without stack-frame lines ("    at fn (file:1:2)"), trimmed.
 * This is what `expected_failure` is matched against: the failure, not where the code lives.
 */
export function stripStack(message: string): string {
  return message
    .split('\n')
    .filter((line) => !STACK_FRAME.test(line))
    .join('\n')
    .trim();
}
