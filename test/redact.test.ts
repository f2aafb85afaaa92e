import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDACTED, redactText, redactValue } from '../support/redact.js';

test('secret-looking fields are redacted at any depth; others are kept', () => {
  const out = redactValue({
    id: 'acme',
    api_key: 'k-123',
    client_auth: { method: 'bearer', token: 'cb-secret' },
    accounts: [{ user: 'u', password: 'p4ss', imap_password: 'x' }],
    api_key_hash: 'abc',
    password: null,
  });
  assert.deepEqual(out, {
    id: 'acme',
    api_key: REDACTED,
    client_auth: { method: 'bearer', token: REDACTED },
    accounts: [{ user: 'u', password: REDACTED, imap_password: REDACTED }],
    api_key_hash: REDACTED,
    password: null,
  });
});

test('known secret values and credentials are removed from free text', () => {
  const text = 'token=abcd1234 Authorization: Bearer xyz.987 and Basic dXNlcjpw and {"password": "hunter2"}';
  const out = redactText(text, ['abcd1234']);
  assert.ok(!out.includes('abcd1234'));
  assert.ok(!out.includes('xyz.987'));
  assert.ok(!out.includes('dXNlcjpw'));
  assert.ok(!out.includes('hunter2'));
  assert.match(out, /Bearer \[redacted\]/);
});
