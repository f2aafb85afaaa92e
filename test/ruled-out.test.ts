/**
 * No ordinary scenario asserts what a known defect's when_fixed rules out
 * (tools/ledger/ruled-out.ts): at least, none asserts that a secret (a password, key,
 * token, secret or login) is read back from the API while the ledger says no read may
 * return it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/base/config.js';
import { loadLedger } from '../support/base/ledger.js';
import { assertsSecretReadBack, describeRuledOut, entriesForbiddingSecrets, ruledOutAssertions, type FeatureText } from '../tools/ledger/ruled-out.js';

const ledger = () => loadLedger(join(ROOT, 'known-defects.yaml'));

function featuresOf(dir: string, prefix: string): FeatureText[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.feature'))
    .sort()
    .map((f) => ({ path: `${prefix}/${f}`, text: readFileSync(join(ROOT, dir, f), 'utf8') }));
}

test('the ledger has entries whose when_fixed forbids handing a secret back', () => {
  const ids = entriesForbiddingSecrets(ledger());
  for (const id of ['account-password-returned', 'imap-password-returned', 'tenant-client-auth-returned', 'tenant-key-hash-returned', 'instance-secrets-returned', 'storage-secret-returned']) {
    assert.ok(ids.includes(id), `${id} is not recognised as forbidding a secret (found: ${ids.join(', ')})`);
  }
});

test('no ordinary scenario of features/ asserts a secret is read back from the API', () => {
  assert.deepEqual(describeRuledOut(ruledOutAssertions(featuresOf('features', 'features'), ledger())), []);
});

test('the old text of features/pec.feature:14 is found, with the entries that rule it out; known defects and negations are not', () => {
  const found = ruledOutAssertions(featuresOf('test/fixtures/ruled-out', 'test/fixtures/ruled-out'), ledger());
  assert.deepEqual(
    found.map((f) => [f.line, f.scenario, f.step]),
    [
      [16, 'A PEC account added with only its IMAP host uses the SMTP credentials and the usual IMAP settings', 'Then the account reads back as a PEC account that logs in to the inbox over secure IMAP with its SMTP login'],
      [31, 'Each kind of account reads back its <secret>', 'Then the account reads back with its SMTP password'],
    ],
  );
  assert.ok(found[0]!.ruledOutBy.includes('imap-password-returned'));
  const [line] = describeRuledOut(found);
  assert.match(line!, /^test\/fixtures\/ruled-out\/pec-old\.feature:16 "A PEC account added with only its IMAP host .*" asserts a secret is read back from the API, which the when_fixed of .*imap-password-returned.* rules out/);
});

test('without a ledger entry that forbids it, nothing is ruled out', () => {
  const features = featuresOf('test/fixtures/ruled-out', 'test/fixtures/ruled-out');
  assert.deepEqual(ruledOutAssertions(features, [{ id: 'other', whenFixed: 'The mail is delivered exactly once.' }]), []);
});

test('what counts as asserting a secret is read back', () => {
  for (const yes of [
    'the account reads back with its SMTP login',
    'the tenant list shows acme\'s key',
    'the answer contains the password',
    'the storage is listed with its secret key',
  ]) assert.equal(assertsSecretReadBack(yes), true, yes);
  for (const no of [
    'none of these answers contains the password',
    'the bounce settings read back as configured, without the password',
    'the account reads back as a PEC account that reads the inbox over secure IMAP as its SMTP user',
    'the message details and the message list give "secret" the same error, with its time',
    'acme\'s key still works',
    'acme, with the key it got when it was created, can still list its own accounts',
    'the health check answers without a token',
  ]) assert.equal(assertsSecretReadBack(no), false, no);
});
