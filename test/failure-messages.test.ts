/**
 * Failures that explain themselves: a wait that times out shows what did happen, not only
 * what it was looking for. Real cucumber-js on the local stack, with the fixture scenarios
 * of test/fixtures/failure-messages, whose waits time out on purpose. Needs `npm run setup`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, relative } from 'node:path';
import { before, test } from 'node:test';
import { ROOT } from '../support/base/config.js';

const FIXTURE = join(ROOT, 'test/fixtures/failure-messages');
let output = '';
let code: number | null = null;

before(async () => {
  const child = spawn(join(ROOT, 'node_modules/.bin/cucumber-js'), ['--config', relative(ROOT, join(FIXTURE, 'cucumber.json'))], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  code = await new Promise<number | null>((resolve) => child.on('close', resolve));
});

test('both fixture scenarios fail, as they must', () => {
  assert.equal(code, 1, output);
  assert.match(output, /2 scenarios \(2 failed\)/);
});

test('a mail whose subject changed: the wait shows the mails that did arrive, with subject and recipient', () => {
  assert.match(output, /waiting for the mail "note" \(Note \(as expected\)\) to reach the sink/);
  assert.match(output, /what did happen:\n\s+mails in the sink for this scenario \(1\): "Message note" to note-recipient\.s[0-9a-z]+@example\.test/);
  assert.match(output, /message "note" \(note-s[0-9a-z]+\) is sent in \/messages\/list/);
});

test('a message the proxy does not have: the wait says it is not among the messages the proxy lists', () => {
  assert.match(output, /waiting for message "ghost" to be sent in \/messages\/get and \/messages\/list/);
  assert.match(output, /message "ghost" \(ghost-s[0-9a-z]+\) is not among the 1 messages the proxy lists for tenant tenant-s[0-9a-z]+: lost, or never stored/);
});
