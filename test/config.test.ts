import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig, type InstalledStack } from '../support/base/config.js';
import { ExternalProvider, externalEndpoints, EXTERNAL_REQUIRED } from '../support/stack/external.js';
import { DockerProvider } from '../support/stack/docker.js';
import { chooseProvider, dockerEngineFactNeeded, StackSelectionError, type MachineFacts } from '../support/stack/select.js';
import { checkInstalledSut, createProvider } from '../support/stack/session.js';

const facts = (localInstalled: boolean, dockerEngine: boolean): MachineFacts => ({ localInstalled, dockerEngine });

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

test('provider selection: STACK decides when set, whatever the machine has', () => {
  assert.deepEqual(chooseProvider({ STACK: 'local' }, facts(false, true)), { name: 'local', reason: 'STACK=local' });
  assert.equal(chooseProvider({ STACK: 'external' }, facts(true, true)).name, 'external');
  assert.deepEqual(chooseProvider({ STACK: 'docker' }, facts(true, false)), { name: 'docker', reason: 'STACK=docker' });
  assert.equal(chooseProvider({ STACK: ' docker ', EXTERNAL_PROXY_URL: 'http://x' }, facts(true, true)).name, 'docker');
});

test('provider selection: an unknown name is an error listing the valid ones', () => {
  assert.throws(() => chooseProvider({ STACK: 'kubernetes' }, facts(true, true)), (error: unknown) => {
    assert.ok(error instanceof StackSelectionError);
    assert.match(error.message, /STACK=kubernetes is not a stack provider. Use one of: local, external, docker/);
    assert.match(error.message, /npm run setup/);
    return true;
  });
});

test('provider selection: external, then local if installed, then docker if an engine answers', () => {
  assert.equal(chooseProvider({ EXTERNAL_PROXY_URL: 'http://x' }, facts(true, true)).name, 'external');
  assert.deepEqual(chooseProvider({}, facts(true, true)), { name: 'local', reason: 'the local stack is installed (.stack/installed.json)' });
  assert.equal(chooseProvider({}, facts(true, false)).name, 'local');
  assert.deepEqual(chooseProvider({}, facts(false, true)), { name: 'docker', reason: 'the local stack is not installed and a Docker engine answers' });
  assert.equal(chooseProvider({ STACK: '' }, facts(false, true)).name, 'docker', 'an empty STACK counts as unset');
});

test('provider selection: with neither, one error lists every way to get a stack', () => {
  assert.throws(() => chooseProvider({}, facts(false, false)), (error: unknown) => {
    assert.ok(error instanceof StackSelectionError);
    assert.match(error.message, /^No stack provider is available: the local stack is not installed and no Docker engine answers\./);
    assert.match(error.message, /local \(native processes\): run `npm run setup`/);
    assert.match(error.message, /docker \(containers through testcontainers\): start a Docker engine with Compose v2[\s\S]*STACK=docker/);
    assert.match(error.message, /external \(already running services\): set STACK=external/);
    return true;
  });
});

test('provider selection: the Docker engine is asked only when the answer depends on it', () => {
  const envs: NodeJS.ProcessEnv[] = [{}, { STACK: 'local' }, { STACK: 'docker' }, { STACK: 'external' }, { EXTERNAL_PROXY_URL: 'http://x' }, { STACK: '' }];
  for (const env of envs) {
    for (const localInstalled of [true, false]) {
      const outcome = (dockerEngine: boolean) => {
        try {
          return chooseProvider(env, facts(localInstalled, dockerEngine)).name;
        } catch (error) {
          return `error: ${(error as Error).message}`;
        }
      };
      const depends = outcome(true) !== outcome(false);
      assert.equal(dockerEngineFactNeeded(env, localInstalled), depends, `env ${JSON.stringify(env)}, local installed: ${localInstalled}`);
    }
  }
});

test('STACK=docker makes a docker provider, without asking the engine yet', () => {
  const provider = createProvider({ name: 'docker', reason: 'STACK=docker' }, loadConfig({}), {}, 'worker-0');
  assert.ok(provider instanceof DockerProvider);
  assert.equal(provider.name, 'docker');
  assert.match(provider.project, /^gmp-[0-9a-f]{4}p\d+-worker-0$/);
  assert.throws(() => provider.mainProxy, /not been started/);
});

const fullExternal = Object.fromEntries(EXTERNAL_REQUIRED.map((name) => [name, name.endsWith('PORT') ? '1025' : `value-${name}`]));

test('external endpoints come from the environment; missing ones are named', () => {
  const e = externalEndpoints({ ...fullExternal, EXTERNAL_PROXY_URL: 'http://proxy:8000/', EXTERNAL_IMAP_HOST_FOR_PROXY: 'imap' });
  assert.equal(e.proxy.baseUrl, 'http://proxy:8000');
  assert.deepEqual(e.mailpit.smtpForProxy, { host: 'value-EXTERNAL_SMTP_HOST', port: 1025 });
  assert.deepEqual(e.imap.forProxy, { host: 'imap', port: 1025 });
  assert.equal(e.s3.endpointForProxy, 'value-EXTERNAL_S3_ENDPOINT');
  assert.equal(e.s3.bucket, 'gmp-acceptance');
  assert.deepEqual(e.partners, { listenHost: '127.0.0.1', hostForProxy: '127.0.0.1' });
  const elsewhere = externalEndpoints({ ...fullExternal, EXTERNAL_S3_BUCKET: 'b', EXTERNAL_CALLBACK_LISTEN_HOST: '0.0.0.0', EXTERNAL_CALLBACK_HOST_FOR_PROXY: 'runner' });
  assert.equal(elsewhere.s3.bucket, 'b');
  assert.deepEqual(elsewhere.partners, { listenHost: '0.0.0.0', hostForProxy: 'runner' });
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
  assert.throws(() => checkInstalledSut(installed('0.6.10'), { SUT_VERSION: '0.7.0' }), /Run: SUT_VERSION=0.7.0 npm run setup/);
  // A release the suite does not run is refused, with the ones it runs, never sent to `npm run setup`.
  assert.throws(() => checkInstalledSut(installed('0.7.0'), { SUT_VERSION: '0.6.10' }), /^StackSelectionError: SUT_VERSION=0\.6\.10 is not a release this suite runs; it runs genro-mail-proxy 0\.7\.0 \(versions\.json/);
  assert.throws(() => checkInstalledSut(installed('0.7.0'), { SUT_SOURCE: '/src/gmp' }), /Run: SUT_SOURCE=\/src\/gmp npm run setup/);
});
