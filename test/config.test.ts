import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig, type InstalledStack } from '../support/config.js';
import { ExternalProvider, externalEndpoints, EXTERNAL_REQUIRED } from '../support/stack/external.js';
import { chooseProvider, StackSelectionError } from '../support/stack/select.js';
import { checkInstalledSut, createProvider } from '../support/stack/session.js';

test('config defaults: short retries and send loop for the launcher', () => {
  const c = loadConfig({});
  assert.deepEqual(c.proxy, { sendLoopInterval: 0.1, retryDelays: [1, 2], maxRetries: 2 });
  assert.equal(c.deliveryTimeoutMs, 10_000);
});

test('config reads and validates the environment', () => {
  const c = loadConfig({ SUITE_RETRY_DELAYS: '2, 3', SUITE_MAX_RETRIES: '4', SUITE_DELIVERY_TIMEOUT_MS: '5000' });
  assert.deepEqual(c.proxy.retryDelays, [2, 3]);
  assert.equal(c.proxy.maxRetries, 4);
  assert.equal(c.deliveryTimeoutMs, 5000);
  assert.throws(() => loadConfig({ SUITE_RETRY_DELAYS: '1,x' }), /SUITE_RETRY_DELAYS=1,x must be a comma-separated list/);
  assert.throws(() => loadConfig({ SUITE_SEND_LOOP_INTERVAL: '-1' }), /SUITE_SEND_LOOP_INTERVAL=-1 is not a positive number/);
});

test('provider selection: STACK decides when set', () => {
  assert.deepEqual(chooseProvider({ STACK: 'local' }, { localInstalled: false }), { name: 'local', reason: 'STACK=local' });
  assert.equal(chooseProvider({ STACK: 'external' }, { localInstalled: true }).name, 'external');
  assert.equal(chooseProvider({ STACK: 'docker' }, { localInstalled: true }).name, 'docker');
});

test('provider selection: an unknown name is an error listing the valid ones', () => {
  assert.throws(() => chooseProvider({ STACK: 'kubernetes' }, { localInstalled: true }), (error: unknown) => {
    assert.ok(error instanceof StackSelectionError);
    assert.match(error.message, /STACK=kubernetes is not a stack provider. Use one of: local, external, docker/);
    assert.match(error.message, /npm run setup/);
    return true;
  });
});

test('provider selection: automatic default', () => {
  assert.equal(chooseProvider({ EXTERNAL_PROXY_URL: 'http://x' }, { localInstalled: true }).name, 'external');
  assert.equal(chooseProvider({}, { localInstalled: true }).name, 'local');
  assert.throws(() => chooseProvider({}, { localInstalled: false }), /No stack provider is available[\s\S]*npm run setup[\s\S]*STACK=external/);
});

test('docker mode is refused with a message that names the alternatives', () => {
  assert.throws(() => createProvider({ name: 'docker', reason: 'STACK=docker' }, loadConfig({}), {}, 't'), /Docker mode is not built yet[\s\S]*npm run setup/);
});

const fullExternal = Object.fromEntries(EXTERNAL_REQUIRED.map((name) => [name, name.endsWith('PORT') ? '1025' : `value-${name}`]));

test('external endpoints come from the environment; missing ones are named', () => {
  const e = externalEndpoints({ ...fullExternal, EXTERNAL_PROXY_URL: 'http://proxy:8000/', EXTERNAL_IMAP_HOST_FOR_PROXY: 'imap' });
  assert.equal(e.proxy.baseUrl, 'http://proxy:8000');
  assert.deepEqual(e.mailpit.smtpForProxy, { host: 'value-EXTERNAL_SMTP_HOST', port: 1025 });
  assert.deepEqual(e.imap.forProxy, { host: 'imap', port: 1025 });
  assert.equal(e.s3.endpointForProxy, 'value-EXTERNAL_S3_ENDPOINT');
  assert.throws(() => externalEndpoints({ EXTERNAL_PROXY_URL: 'http://x' }), /needs these environment variables: EXTERNAL_PROXY_TOKEN, EXTERNAL_MAILPIT_URL/);
  assert.throws(() => externalEndpoints({ ...fullExternal, EXTERNAL_SMTP_PORT: 'abc' }), /EXTERNAL_SMTP_PORT=abc is not a TCP port/);
});

test('the external provider hands out its test-mode proxy, but refuses a proxy on a database of its own or with other retries', async () => {
  const provider = new ExternalProvider({ ...fullExternal, EXTERNAL_TESTMODE_PROXY_URL: 'http://testmode:8001/', EXTERNAL_TESTMODE_PROXY_TOKEN: 'tm' });
  await provider.start();
  assert.equal((await provider.startProxy({ testMode: true })).endpoint.baseUrl, 'http://testmode:8001');
  await assert.rejects(provider.startProxy({ testMode: true, database: 'postgresql://db/x' }), /needs the local provider/);
  await assert.rejects(provider.startProxy({ retryDelays: [10] }), /needs the local provider/);
  await assert.rejects(provider.mainProxy.restart(), /cannot restart the proxy/);
});

const installed = (version: string): InstalledStack => ({
  sut: { key: `pypi-${version}`, version, description: `genro-mail-proxy ${version}`, src: '/x/src', python: '/x/python' },
  launcher: '', mailpit: '', minio: '', dovecot: '', postgres: { bin: '' },
});

test('the installed SUT must be the one the environment asks for', () => {
  assert.doesNotThrow(() => checkInstalledSut(installed('0.7.0'), {}));
  assert.doesNotThrow(() => checkInstalledSut(installed('0.7.0'), { SUT_VERSION: '0.7.0' }));
  assert.throws(() => checkInstalledSut(installed('0.7.0'), { SUT_VERSION: '0.6.10' }), /Run: SUT_VERSION=0.6.10 npm run setup/);
  assert.throws(() => checkInstalledSut(installed('0.7.0'), { SUT_SOURCE: '/src/gmp' }), /Run: SUT_SOURCE=\/src\/gmp npm run setup/);
});
