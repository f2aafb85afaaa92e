/**
 * The fork server (stack/forkserver.py, support/stack/fork-server.ts) against the real SUT:
 * a forked proxy serves, leads a process group of its own, writes its own log, is stopped
 * by a signal and reported when it ends; a proxy with an environment of its own is
 * executed instead; nothing outlives the server; a server that dies says why.
 * Needs `npm run setup` first.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig, readInstalledStack, ROOT } from '../support/base/config.js';
import { httpOk } from '../support/base/net.js';
import { eventually } from '../support/base/eventually.js';
import { ForkServer } from '../support/stack/fork-server.js';
import { LocalProvider } from '../support/stack/local.js';
import { ManagedProcess, survivingStackProcesses } from '../support/stack/process.js';

const installed = readInstalledStack();
const scratch = mkdtempSync(join(tmpdir(), 'fork-server-test-'));
let provider: LocalProvider;

before(async () => {
  assert.ok(installed, 'the local stack is not installed: run `npm run setup` first');
  provider = new LocalProvider(installed, loadConfig({}), 'node-test-fork', () => {});
  await provider.start();
});

after(async () => {
  await provider?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
}

test('a proxy with the standard environment is forked: it serves, leads its own group, and is reported when stopped', async () => {
  const proxy = await provider.startProxy({ label: 'forked' });
  assert.ok(await httpOk(`${proxy.endpoint.baseUrl}/health`));
  const serving = survivingStackProcesses().filter((p) => p.command.includes('forkserver.py'));
  // The server and at least this proxy and the main one: forked children show the server's command line.
  assert.ok(serving.length >= 3, `forked processes: ${JSON.stringify(serving)}`);
  assert.match(proxy.logTail(), /launcher: db=.*forked/, 'the child ran the launcher, into a log of its own');
  await proxy.stop();
  assert.equal(await httpOk(`${proxy.endpoint.baseUrl}/health`), false, 'stopped');
  await proxy.restart();
  assert.ok(await httpOk(`${proxy.endpoint.baseUrl}/health`), 'forked again on restart');
  await proxy.stop();
});

test('a proxy given an environment of its own is executed with it, not forked', async () => {
  const proxy = await provider.startProxy({ label: 'own-env', environment: { GMP_SUITE_PROBE: 'executed' } });
  const port = new URL(proxy.endpoint.baseUrl).port;
  const executed = survivingStackProcesses().filter((p) => p.command.includes('launcher.py') && p.command.includes(`--port ${port}`));
  assert.equal(executed.length, 1, `processes: ${JSON.stringify(survivingStackProcesses())}`);
  assert.match(readFileSync(`/proc/${executed[0]!.pid}/environ`, 'utf8'), /GMP_SUITE_PROBE=executed/);
  assert.match(commandLine(executed[0]!.pid), /launcher\.py/);
  await proxy.stop();
});

test('a forked proxy dies with its server, and the server with the end of its input', async () => {
  const python = installed!.sut.python;
  const server = ManagedProcess.start({
    name: 'fork-server-alone',
    command: python,
    args: [join(ROOT, 'stack', 'forkserver.py'), '--launcher', installed!.launcher],
    env: { PYTHONPATH: installed!.sut.src },
    logFile: join(scratch, 'server.log'),
    piped: true,
  });
  const forks = new ForkServer(server, scratch);
  await forks.whenReady();
  const child = await forks.start({ name: 'alone', argv: ['--db', join(scratch, 'a.db'), '--port', '0'], env: { GMP_LAUNCHER_TOKEN: 't' }, logFile: join(scratch, 'alone.log') });
  assert.ok(child.running);
  assert.equal(readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2], String(child.pid), 'it leads its own process group');
  server.pipes.stdin.end();
  await server.exited;
  const ended = await child.exited;
  assert.equal(ended.signal, 'SIGKILL');
  await eventually({ description: 'the forked proxy to be gone', timeoutMs: 5000 }, async () => {
    try {
      return readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
    } catch {
      return true;
    }
  });
});

test('a fork server that cannot start says why, with its log', async () => {
  const server = ManagedProcess.start({
    name: 'fork-server-broken',
    command: installed!.sut.python,
    args: [join(ROOT, 'stack', 'forkserver.py')],
    env: { PYTHONPATH: installed!.sut.src },
    logFile: join(scratch, 'broken.log'),
    piped: true,
  });
  const forks = new ForkServer(server, scratch);
  await assert.rejects(forks.whenReady(), /the fork server exited with code 2[\s\S]*--launcher/);
  await assert.rejects(
    forks.start({ name: 'never', argv: [], env: {}, logFile: join(scratch, 'never.log') }),
    /the fork server exited with code 2/,
  );
});
