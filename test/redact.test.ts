import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDACTED, redactText, redactValue } from '../support/base/redact.js';

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

test('a request body the proxy logs as a Python repr loses its secrets', () => {
  const log = "INFO: validation failed, body: {'id': 'smtp1', 'user': 'mailer', 'password': 'p-9fQ2', 'imap_password': \"q'7\", "
    + "'client_auth': {'method': 'bearer', 'token': 'cb-77aa'}, 'api_key': 'k-123', 'port': 25}";
  const out = redactText(log);
  for (const secret of ['p-9fQ2', "q'7", 'cb-77aa', 'k-123']) assert.ok(!out.includes(secret), `${secret} is still in: ${out}`);
  assert.match(out, /'user': 'mailer'/, 'other fields are kept');
  assert.match(out, /'port': 25/);
});

test('headers, query strings and URLs lose their credentials; null and booleans are kept', () => {
  const text = [
    'X-API-Token: AbC-123_xyz',
    'x-api-token=QwErTy987',
    'GET /tenants/get?tenant_id=acme&api_key=zz-top-42 HTTP/1.1',
    'db=postgresql://postgres:s3cr3t-pw@127.0.0.1:5432/gmp_1',
    '"password": null, "api_token": null, "use_tls": false',
  ].join('\n');
  const out = redactText(text);
  for (const secret of ['AbC-123_xyz', 'QwErTy987', 'zz-top-42', 's3cr3t-pw']) assert.ok(!out.includes(secret), `${secret} is still in: ${out}`);
  assert.match(out, /tenant_id=acme/);
  assert.match(out, /postgresql:\/\/postgres:\[redacted\]@127\.0\.0\.1:5432\/gmp_1/);
  assert.match(out, /"password": null, "api_token": null, "use_tls": false/);
});

test('a known secret is removed wherever it appears, the longest first', () => {
  const out = redactText('key abcd1234 and abcd1234-longer, and in a word:xabcd1234x', ['abcd1234', 'abcd1234-longer']);
  assert.equal(out, 'key [redacted] and [redacted], and in a word:x[redacted]x');
});

test('secret values inside free-text fields of a JSON body are redacted by value', () => {
  const out = redactValue({ detail: [{ msg: 'Field required', input: { id: 'a', note: 'uses t0k3n-value' } }] }, ['t0k3n-value']);
  assert.deepEqual(out, { detail: [{ msg: 'Field required', input: { id: 'a', note: `uses ${REDACTED}` } }] });
});
