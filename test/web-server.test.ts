/**
 * The web server of download folders (support/partners/web-server.ts): it serves a file
 * under a folder's base URL as nginx would, whatever the query string, and nothing else:
 * no folder, no missing file, no way out of the folder, no other scenario's folder after
 * `forget`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WebServer } from '../support/partners/web-server.js';

test('a file under a served folder is answered with its bytes, the query string ignored; nothing else is', async () => {
  const root = mkdtempSync(join(tmpdir(), 'web-server-test-'));
  const server = new WebServer();
  try {
    const folder = join(root, 'served');
    mkdirSync(join(folder, 'f1d'), { recursive: true });
    const bytes = randomBytes(70_000);
    writeFileSync(join(folder, 'f1d', 'big report.bin'), bytes);
    writeFileSync(join(root, 'secret.txt'), 'outside the folder');
    const base = await server.serveFolder('sweb', 'downloads', folder);
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+\/sweb\/downloads$/);

    const got = await fetch(`${base}/f1d/big%20report.bin?token=abc-123&x=1`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-length'), String(bytes.length));
    assert.ok(Buffer.from(await got.arrayBuffer()).equals(bytes), 'the exact bytes');
    const head = await fetch(`${base}/f1d/big%20report.bin`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(bytes.length));

    const status = async (url: string, method = 'GET') => (await fetch(url, { method })).status;
    assert.equal(await status(`${base}/f1d`), 404, 'a folder');
    assert.equal(await status(`${base}/f1d/`), 404, 'a folder, with a slash');
    assert.equal(await status(`${base}/f1d/missing.bin`), 404, 'a missing file');
    assert.equal(await status(`${base}/download/abc-123/big%20report.bin`), 404, 'a path that is not the file');
    assert.equal(await status(`${base}/%2E%2E/secret.txt`), 404, 'out of the folder');
    assert.equal(await status(`${base}/f1d%2F..%2F..%2Fsecret.txt`), 404, 'out of the folder, slashes encoded');
    assert.equal(await status(`${base.replace('/downloads', '/other')}/f1d/big%20report.bin`), 404, 'another name');
    assert.equal(await status(`${base}/f1d/big%20report.bin`, 'POST'), 405);

    assert.deepEqual(
      server.requestsOf('sweb').slice(0, 2).map((r) => [r.method, r.path, r.query, r.status]),
      [['GET', '/sweb/downloads/f1d/big%20report.bin', 'token=abc-123&x=1', 200], ['HEAD', '/sweb/downloads/f1d/big%20report.bin', '', 200]],
    );
    server.forget('sweb');
    assert.equal(await status(`${base}/f1d/big%20report.bin`), 404, 'after forget');
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
});
