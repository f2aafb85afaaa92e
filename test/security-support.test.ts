/**
 * The support code of the security, persistence, @db and sending-limit scenarios that needs no stack:
 * where a secret hides in a JSON answer, which exception a proxy log ends with, and the
 * scenario's random secrets.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { keyForms, keyHashFields, pathsHolding } from '../support/capabilities/stored-secrets.js';
import { ROOT } from '../support/base/config.js';
import { crowdedMinutes } from '../support/capabilities/sending-limits.js';
import { lastException } from '../support/capabilities/own-proxy.js';
import { ScenarioSecrets } from '../support/base/secrets.js';

test('pathsHolding names every place a secret occurs in a JSON answer', () => {
  const body = [{ id: 'a', client_auth: { method: 'bearer', token: 'xx-SECRET-xx' } }, { id: 'b', note: 'no secret here' }, { id: 'c', imap_password: 'SECRET' }];
  assert.deepEqual(pathsHolding(body, 'SECRET'), ['[0].client_auth.token', '[2].imap_password']);
  assert.deepEqual(pathsHolding('plain SECRET text', 'SECRET'), ['(the whole body)']);
  assert.deepEqual(pathsHolding({ n: 1, ok: true, none: null }, 'SECRET'), []);
});

test('keyForms gives a key and its usual digests, so an answer holding the SHA-256 hex of a key is caught', () => {
  const key = 'k-3xAmple';
  const forms = new Map(keyForms(key));
  assert.equal(forms.get('the key itself'), key);
  assert.equal(forms.get('sha256 hex'), createHash('sha256').update(key).digest('hex'));
  assert.equal(forms.get('sha1 base64url'), createHash('sha1').update(key).digest('base64url'));
  assert.equal(forms.size, 13);
  const answer = { id: 'acme', api_key_hash: createHash('sha256').update(key).digest('hex') };
  assert.deepEqual(keyForms(key).flatMap(([form, value]) => pathsHolding(answer, value).map((path) => `${path}: ${form}`)), ['api_key_hash: sha256 hex']);
});

test('keyHashFields names the non-empty fields for a key hash, at any depth, and no others', () => {
  const body = [{ id: 'a', api_key_hash: 'x', api_key_expires_at: 5 }, { id: 'b', api_key_hash: null }, { nested: { keyHash: 'y', hash: 'z' } }];
  assert.deepEqual(keyHashFields(body), ['[0].api_key_hash', '[2].nested.keyHash']);
  assert.deepEqual(keyHashFields({ ok: true, api_key: 'shown once' }), []);
});

test('lastException finds the exception a proxy logged, not its log lines', () => {
  const log = [
    'INFO:     127.0.0.1:50260 - "POST /messages/add_batch HTTP/1.1" 500 Internal Server Error',
    'ERROR:    Exception in ASGI application',
    'Traceback (most recent call last):',
    '  File "/x/sql/adapters/postgresql.py", line 80, in execute',
    'ValueError: Tenant \'t1\' not found',
    'INFO:     127.0.0.1:50260 - "POST /messages/add_batch HTTP/1.1" 500 Internal Server Error',
    '    raise ex.with_traceback(None)',
    'psycopg.errors.NumericValueOutOfRange: integer out of range',
    'launcher: db=/tmp/x.db port=1 token=set',
    'INFO:     Application startup complete.',
  ].join('\n');
  assert.equal(lastException(log), 'psycopg.errors.NumericValueOutOfRange: integer out of range');
  assert.equal(lastException(log.split('\n').slice(0, 5).join('\n')), "ValueError: Tenant 't1' not found");
  assert.equal(lastException('INFO:     Started server process [1]\nWARNING:  something'), undefined);
});

test('a scenario makes a new random secret each time, and keeps every value for redaction', () => {
  const secrets = ScenarioSecrets.forScenario();
  const a = secrets.make('password');
  const b = ScenarioSecrets.forScenario().make('password');
  assert.notEqual(a, b);
  assert.ok(a.length >= 20, `secret too short: ${a.length}`);
  secrets.register('tenant key', 'k-from-proxy');
  assert.deepEqual(secrets.values, [a, 'k-from-proxy']);
  assert.equal(secrets.get('password'), a);
  assert.throws(() => secrets.get('token'), /no secret "token"/);
});

/** Every file under a folder of the suite, with its text. */
function sources(dir: string): { file: string; text: string }[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(ROOT, dir, name);
    if (statSync(path).isDirectory()) return sources(join(dir, name));
    return /\.(ts|feature|csv)$/.test(name) ? [{ file: join(dir, name), text: readFileSync(path, 'utf8') }] : [];
  });
}

test('no feature, step or support file writes a password or a token as a literal: they are made at random for each run', () => {
  const literal = /\b(?:password|imap_password|token|api_token|api_key|secret(?:AccessKey)?)\s*[:=]\s*['"`][^'"`\s]{3,}['"`]/gi;
  const found = ['features', 'step-definitions', 'support'].flatMap(sources)
    .flatMap(({ file, text }) => [...text.matchAll(literal)].map((m) => `${file}: ${m[0]}`));
  assert.deepEqual(found, []);
});

test('crowdedMinutes finds more deliveries than the limit within a minute, with slack for whole-second counting', () => {
  const at = (seconds: number) => Date.UTC(2026, 0, 1, 12, 0, 0) + seconds * 1000;
  const spaced = [{ alias: 'a', at: at(0) }, { alias: 'b', at: at(0.2) }, { alias: 'c', at: at(59.1) }, { alias: 'd', at: at(59.3) }];
  assert.deepEqual(crowdedMinutes(spaced, 2), [], 'two at once and two 59.1 s later keep a limit of 2 a minute (whole seconds)');
  const crowded = [{ alias: 'a', at: at(0) }, { alias: 'b', at: at(0.2) }, { alias: 'c', at: at(30) }, { alias: 'd', at: at(90) }];
  assert.deepEqual(crowdedMinutes(crowded, 2), ['a 12:00:00.000, b 12:00:00.200, c 12:00:30.000']);
  assert.deepEqual(crowdedMinutes(crowded, 3), []);
});
