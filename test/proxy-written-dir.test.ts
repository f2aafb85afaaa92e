/**
 * The directory the proxies write and the test process reads (`proxyWrittenDir()`), on the
 * local and the docker stacks: the SUT's own local-disk storage (LargeFileStorage), run
 * where the proxy runs and as its user, stores a file under the path the proxy sees; the
 * test process finds it with its bytes under its own path, the web server of download
 * folders serves it, and the stack's stop removes the directory.
 *
 * Docker mode needs an engine with the proxy image: under `npm run test:docker`
 * (GMP_DOCKER_TESTS=1) its absence fails this test; otherwise that part is skipped, saying why.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../support/base/config.js';
import { WebServer } from '../support/partners/web-server.js';
import { createProvider } from '../support/stack/session.js';
import type { ProviderName } from '../support/stack/types.js';
import { dockerPartMayRun } from './docker-part.js';

async function checkWrittenDir(name: ProviderName, env: NodeJS.ProcessEnv): Promise<void> {
  const provider = createProvider({ name, reason: 'test' }, loadConfig(env), env, `written-dir-${name}`);
  const web = new WebServer();
  let root = '';
  try {
    await provider.start();
    const written = provider.proxyWrittenDir();
    root = written.forSuite;
    if (name === 'docker') assert.notEqual(written.forProxy, written.forSuite, 'the proxy sees the directory at a path of its own');
    const forSuite = mkdtempSync(join(written.forSuite, 'upload-'));
    chmodSync(forSuite, 0o777);
    const forProxy = `${written.forProxy}/${basename(forSuite)}`;
    const bytes = randomBytes(3000);
    const link = (await provider.runWithSutPython('test/fixtures/local-disk-upload.py', [forProxy, 'https://files.example.test/att', 'big.bin', bytes.toString('hex')])).trim();
    assert.match(link, /^https:\/\/files\.example\.test\/att\//, "the SUT's link starts with public_base_url");
    const file = join(forSuite, 'f1d', 'big.bin');
    assert.ok(readFileSync(file).equals(bytes), `${file} holds the bytes the proxy stored`);
    if (name === 'docker') assert.equal(statSync(file).uid, 10001, "stored by the proxy image's user");
    const base = await web.serveFolder('swritten', 'att', forSuite);
    const answer = await fetch(`${base}/f1d/big.bin?token=x`);
    assert.equal(answer.status, 200);
    assert.ok(Buffer.from(await answer.arrayBuffer()).equals(bytes), 'the web server serves what the proxy stored');
  } finally {
    await web.close();
    await provider.stop();
  }
  assert.ok(root !== '' && !existsSync(root), `the stack's stop removes ${root}`);
}

test('local stack: what the proxy stores in its written directory, the test process reads and serves', async () => {
  await checkWrittenDir('local', process.env);
});

test('docker stack: what a proxy container stores in its written directory, the test process reads and serves', async (t) => {
  if (!dockerPartMayRun(t)) return;
  await checkWrittenDir('docker', process.env);
});
