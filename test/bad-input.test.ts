/**
 * Bad input to the suite gives a clear error that names the fix: a missing binary or
 * venv, a busy port, a proxy that crashes at start (with its log tail). Malformed CSV
 * and ledger files, and an unknown provider name, are covered in csv-fixture.test.ts,
 * ledger.test.ts and config.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadConfig, readInstalledStack, type InstalledStack } from '../support/base/config.js';
import { LocalProvider } from '../support/stack/local.js';
import { survivingStackProcesses } from '../support/stack/process.js';

const installed = readInstalledStack();
const scratch = mkdtempSync(join(tmpdir(), 'bad-input-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function stackWith(change: (i: InstalledStack) => void): LocalProvider {
  assert.ok(installed, 'the local stack is not installed: run `npm run setup` first');
  const copy = structuredClone(installed);
  change(copy);
  return new LocalProvider(copy, loadConfig({ SUITE_SERVICE_START_TIMEOUT_MS: '8000' }), 'bad-input', () => {});
}

test('a missing binary is named, with the command that installs it', async () => {
  const provider = stackWith((i) => (i.mailpit = '/nonexistent/mailpit'));
  await assert.rejects(provider.start(), /Mailpit is missing at \/nonexistent\/mailpit\. Run `npm run setup`/);
  await provider.stop();
});

test('a missing venv is named, with the command that installs it', async () => {
  const provider = stackWith((i) => (i.sut.python = '/nonexistent/venv/bin/python'));
  await assert.rejects(provider.start(), /The SUT venv is missing at \/nonexistent\/venv\/bin\/python\. Run `npm run setup`/);
  await provider.stop();
});

test('a proxy that crashes at start fails the start at once, with its log tail', async () => {
  const launcher = join(scratch, 'crashing-launcher.py');
  writeFileSync(launcher, 'import sys\nprint("Traceback: the database cannot be opened", flush=True)\nsys.exit(3)\n');
  const provider = stackWith((i) => (i.launcher = launcher));
  const started = Date.now();
  await assert.rejects(provider.start(), (error: Error) => {
    assert.match(error.message, /Gave up waiting for proxy to become ready: proxy exited with code 3/);
    assert.match(error.message, /Traceback: the database cannot be opened/);
    return true;
  });
  assert.ok(Date.now() - started < 6000, 'it does not wait for the start deadline');
  await provider.stop();
  assert.deepEqual(survivingStackProcesses(), []);
});

test('a busy port is reported with the service log that says so', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  const provider = stackWith(() => {});
  try {
    await provider.start();
    await assert.rejects(provider.startSink({ label: 'busy', smtpPort: port }), (error: Error) => {
      assert.match(error.message, /mailpit-\d+-busy exited with code \d+/);
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}.*address already in use`));
      return true;
    });
  } finally {
    await provider.stop();
    blocker.close();
  }
  assert.deepEqual(survivingStackProcesses(), []);
});
