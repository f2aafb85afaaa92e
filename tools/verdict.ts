// The acceptance verdict CLI: judges a cucumber run (message formatter NDJSON)
// against the known-defect ledger.
//
//   node --import ./test/register.mjs tools/verdict.ts \
//     [--messages reports/cucumber-messages.ndjson] [--ledger known-defects.yaml] [--json reports/verdict.json]
//
// Prints the verdict (its last two lines are the counts), writes it as JSON,
// and exits 0 only when nothing failed, no known defect passed or changed, and
// at least one scenario ran.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeSut } from '../support/base/config.js';
import { ledgerMarkdown, verdictMarkdown } from './ledger/markdown.js';
import { LedgerError, loadLedger } from '../support/base/ledger.js';
import { MessagesError, readEnvelopes, runProblems, scenarioResults } from './ledger/results.js';
import { formatVerdict, verdictOf, verdictExitCode, verdictToJson } from './ledger/verdict.js';

const USAGE =
  'usage: node --import ./test/register.mjs tools/verdict.ts ' +
  '[--messages reports/cucumber-messages.ndjson] [--ledger known-defects.yaml] [--json reports/verdict.json]';

interface Options {
  messages: string;
  ledger: string;
  json: string;
}

function parseArgs(argv: string[]): Options | string {
  const opts: Options = {
    messages: 'reports/cucumber-messages.ndjson',
    ledger: 'known-defects.yaml',
    json: 'reports/verdict.json',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return USAGE;
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (name !== '--messages' && name !== '--ledger' && name !== '--json') return `unknown argument ${JSON.stringify(arg)}\n${USAGE}`;
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') return `${name} needs a value\n${USAGE}`;
    opts[name.slice(2) as keyof Options] = value;
  }
  return opts;
}

function writeJson(path: string, data: unknown): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  } catch (err) {
    console.error(`verdict: could not write ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function writeText(path: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (err) {
    console.error(`verdict: could not write ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function fail(opts: Options, headline: string, detail: string): number {
  console.log(`VERDICT: FAILED -- ${headline}`);
  console.log(detail);
  writeJson(opts.json, { exitCode: 1, error: headline, detail });
  return 1;
}

function main(argv: string[]): number {
  const parsed = parseArgs(argv);
  if (typeof parsed === 'string') {
    const help = parsed === USAGE;
    (help ? console.log : console.error)(parsed);
    return help ? 0 : 2;
  }
  const opts = parsed;

  let ledger;
  try {
    ledger = loadLedger(opts.ledger);
  } catch (err) {
    if (err instanceof LedgerError) return fail(opts, `the known-defect ledger ${opts.ledger} is invalid`, err.message);
    throw err;
  }

  let envelopes;
  try {
    envelopes = readEnvelopes(opts.messages);
  } catch (err) {
    if (err instanceof MessagesError) {
      const headline =
        err.kind === 'invalid'
          ? `the cucumber messages in ${opts.messages} are unreadable`
          : `no cucumber results: ${opts.messages} is ${err.kind === 'missing' ? 'missing' : 'empty'} (cucumber crashed before running anything?)`;
      return fail(opts, headline, err.message);
    }
    throw err;
  }

  const verdict = verdictOf(scenarioResults(envelopes), ledger, runProblems(envelopes));
  const code = verdictExitCode(verdict);
  const sut = describeSut().description;
  writeText(join(dirname(opts.json), 'verdict.md'), verdictMarkdown(verdict, sut));
  writeText(join(dirname(opts.json), 'known-defects.md'), ledgerMarkdown(ledger, verdict, sut));
  console.log(formatVerdict(verdict));
  writeJson(opts.json, verdictToJson(verdict));
  return code;
}

process.exitCode = main(process.argv.slice(2));
