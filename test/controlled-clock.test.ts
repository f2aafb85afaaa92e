/**
 * The controlled clock (support/capabilities/controlled-clock.ts) on the real proxy of the
 * local and the docker stacks: a proxy started under libfaketime keeps working when its
 * clock is moved by days (its send loop's asyncio timers fire, its SQLite database through
 * aiosqlite takes the writes), and the times it records are its own: real time plus the offset.
 *
 * Docker mode needs an engine with the proxy image: under `npm run test:docker`
 * (GMP_DOCKER_TESTS=1) its absence fails this test; otherwise that part is skipped, saying why.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../support/base/config.js';
import { eventually } from '../support/base/eventually.js';
import { faketimeEnvironment, FAST_CLOCK_SPEED, readProxyClock, writeClockOffset } from '../support/capabilities/controlled-clock.js';
import { ProxyApi, type MessageRecord } from '../support/clients/proxy-api.js';
import { createProvider } from '../support/stack/session.js';
import type { ProviderName } from '../support/stack/types.js';
import { dockerPartMayRun } from './docker-part.js';

const DAY = 86_400;

async function checkClock(name: ProviderName): Promise<void> {
  const provider = createProvider({ name, reason: 'test' }, loadConfig(process.env), process.env, `controlled-clock-${name}`);
  try {
    const endpoints = await provider.start();
    const written = provider.proxyWrittenDir();
    const dir = mkdtempSync(join(written.forSuite, 'clock-'));
    chmodSync(dir, 0o755);
    const file = join(dir, 'offset');
    writeClockOffset(file, 0);
    const proxy = await provider.startProxy({ label: 'clock', environment: faketimeEnvironment(provider.fakeTimeLibrary(), `${written.forProxy}/${basename(dir)}/offset`) });
    const api = new ProxyApi(proxy.endpoint);
    await api.tenants.add({ id: 'tclock', name: 'clock' });
    await api.accounts.add({ id: 'aclock', tenant_id: 'tclock', host: endpoints.mailpit.smtpForProxy.host, port: endpoints.mailpit.smtpForProxy.port, use_tls: false });

    const sendAndRead = async (id: string): Promise<MessageRecord> => {
      await api.messages.addBatch([{ id, tenant_id: 'tclock', account_id: 'aclock', from: 'a@example.test', to: ['b@example.test'], subject: id }]);
      const sent = await eventually(
        { description: `message ${id} sent by the proxy on a controlled clock`, timeoutMs: 10_000, intervalMs: 100 },
        async () => (await api.messages.list('tclock')).find((m) => m.id === id),
        (m) => m?.smtp_ts != null,
      );
      return sent!;
    };
    const near = (label: string, seconds: number | null, expected: number) =>
      assert.ok(seconds !== null && Math.abs(seconds - expected) <= 5, `${label}: ${seconds}, expected ${expected} ± 5 s`);

    near('sent at, clock not moved', (await sendAndRead('m0')).smtp_ts, Date.now() / 1000);
    writeClockOffset(file, 3 * DAY);
    near('sent at, clock 3 days ahead', (await sendAndRead('m3')).smtp_ts, Date.now() / 1000 + 3 * DAY);
    writeClockOffset(file, 10 * DAY);
    near('sent at, clock 10 days ahead', (await sendAndRead('m10')).smtp_ts, Date.now() / 1000 + 10 * DAY);
    assert.equal((await api.health()).status, 'ok');

    // A clock that runs faster: a second proxy, whose clock file gives the speed from its start.
    const fastFile = join(dir, 'fast');
    writeClockOffset(fastFile, 0, FAST_CLOCK_SPEED);
    const fast = await provider.startProxy({ label: 'fast-clock', environment: faketimeEnvironment(provider.fakeTimeLibrary(), `${written.forProxy}/${basename(dir)}/fast`) });
    const clock = await readProxyClock(fast.endpoint.baseUrl, FAST_CLOCK_SPEED);
    const fastApi = new ProxyApi(fast.endpoint);
    await fastApi.tenants.add({ id: 'tfast', name: 'fast' });
    await fastApi.accounts.add({ id: 'afast', tenant_id: 'tfast', host: endpoints.mailpit.smtpForProxy.host, port: endpoints.mailpit.smtpForProxy.port, use_tls: false });
    await fastApi.messages.addBatch([{ id: 'mfast', tenant_id: 'tfast', account_id: 'afast', from: 'a@example.test', to: ['b@example.test'], subject: 'fast' }]);
    const sentFast = await eventually(
      { description: 'message mfast sent by the proxy on a clock that runs faster', timeoutMs: 10_000, intervalMs: 100 },
      async () => (await fastApi.messages.list('tfast')).find((m) => m.id === 'mfast'),
      (m) => m?.smtp_ts != null,
    );
    const now = Date.now();
    assert.ok(clock.at(now) / 1000 - now / 1000 > 1, `the fast clock is ahead of the real one (${(clock.at(now) - now) / 1000} s)`);
    near('sent at, on the fast clock', sentFast!.smtp_ts, clock.at(now) / 1000);
  } finally {
    await provider.stop();
  }
}

test('local stack: a proxy on a controlled clock sends, and records its own time, before and after its clock moves by days', async () => {
  await checkClock('local');
});

test('docker stack: a proxy container on a controlled clock sends, and records its own time, before and after its clock moves by days', async (t) => {
  if (!dockerPartMayRun(t)) return;
  await checkClock('docker');
});
