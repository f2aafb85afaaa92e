import { execFile } from 'node:child_process';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../support/base/config.js';

const run = promisify(execFile);
const lint = (dir: string) =>
  run(join(ROOT, 'node_modules/.bin/gherkin-lint'), ['-c', '.gherkin-lintrc', '-r', 'lint/gherkin-rules', dir], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });

/** What the linter says about the bad fixtures, without colours. */
async function badFixtureReport(): Promise<string> {
  const error = await lint('test/fixtures/gherkin').then(() => assert.fail('the bad fixtures passed'), (e: { stdout: string; stderr: string }) => e);
  return (error.stdout + error.stderr).replace(/\x1b\[[0-9;]*m/g, '');
}

/** The report's lines for one fixture file and one rule. */
function findings(out: string, file: string, rule: string): string[] {
  const section = out.split(/\n(?=\S)/).find((s) => s.startsWith(join(ROOT, 'test/fixtures/gherkin', file)) || s.includes(`/${file}\n`)) ?? '';
  return section.split('\n').filter((line) => line.trimEnd().endsWith(rule));
}

test('the features pass the Gherkin linter', async () => {
  await assert.doesNotReject(lint('features'));
});

test('the linter catches each rule the features must keep', async () => {
  const out = await badFixtureReport();
  for (const rule of ['no-dupe-feature-names', 'no-dupe-scenario-names', 'feature-description', 'no-empty-scenarios']) {
    assert.match(out, new RegExp(rule), `${rule} fired`);
  }
  assert.match(out, /http:\/\/127\.0\.0\.1:8000 is up" matches restricted pattern/, 'a raw URL in step text');
  assert.match(out, /posts \{"id": "m1"\}" matches restricted pattern/, 'JSON in step text');
  assert.match(out, /port 1025 has it" matches restricted pattern/, 'a port in step text');
});

test('the linter keeps plumbing out of the features, one rule for each kind', async () => {
  const out = await badFixtureReport();
  const expected: [rule: string, lines: string[]][] = [
    ['scenario-size', ['Element Scenario too long: actual 11, expected 10']],
    ['step-length', ['Step is 121 characters long, more than 120']],
    ['no-field-names', ['Feature description "How many messages it sends comes from LOAD_MESSAGES." names an API field or a setting\'s variable', 'table cell "reply_to"', 'exactly the fields "id, sent_ts"" names an API field']],
    ['no-json', ['Feature description "Every call carries the X-API-Token header and gets a JSON answer."', 'step "the answer is a JSON error"']],
    ['no-header-names', ['Feature description "Every call carries the X-API-Token header', 'step "the call carried the X-API-Token header"']],
    ['no-work-around', ['step "the tables were created beforehand, to work around the start-up defect"']],
    ['no-restricted-patterns', ['with the password "p4ss" in the folder "INBOX"" matches restricted pattern']],
  ];
  for (const [rule, lines] of expected) {
    const found = findings(out, 'bad-plumbing.feature', rule);
    for (const line of lines) assert.ok(found.some((f) => f.includes(line)), `${rule} fired on: ${line}\n${found.join('\n')}`);
    assert.equal(found.length, lines.length, `${rule} fired only where expected:\n${found.join('\n')}`);
  }
});

test('custom headers in a data table are data, not plumbing', async () => {
  const out = await badFixtureReport();
  assert.deepEqual(findings(out, 'bad-plumbing.feature', 'no-header-names').filter((line) => line.includes('X-Order')), []);
});
