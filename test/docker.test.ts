/**
 * Over 300 lines on purpose: Docker mode checked without an engine, file by file (compose, Dockerfiles, provider).
 *
 * Docker mode, checked without a Docker engine (none on the machine this was written
 * on): docker-compose.yml against the local stack and versions.json, the images'
 * build contexts, the Dovecot config of the IMAP image run with the local Dovecot,
 * the docker provider's pure parts, and its fast failure when no engine answers.
 * The compose file itself is validated by dclint in scripts/test.sh.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { parse } from 'yaml';
import { loadConfig, ROOT, type InstalledStack } from '../support/base/config.js';
import {
  composeEndpoints,
  composeVariables,
  containerName,
  DB_PROFILE,
  HOST_FROM_CONTAINERS,
  hostOverrideFor,
  hostPortFromInspect,
  hostTag,
  launcherArgs,
  newSecrets,
  partnersFor,
  PORTS,
  projectName,
  projectOwner,
  proxyDatabase,
  proxyEnvironment,
  PROXY_WRITTEN_TARGET,
  publishIp,
  runId,
  suiteHost,
  unixSocketListens,
  WAIT_PLAN,
  COMPOSE_SUITE_FILE,
  type ContainerView,
} from '../support/stack/docker-compose-model.js';
import { composeUpFailure, connectToEngine, DockerEngineUnavailable, dockerEngineAnswers } from '../support/stack/docker-engine.js';
import { DockerProvider } from '../support/stack/docker.js';
import { LocalProvider } from '../support/stack/local.js';
import { dovecotConfig, MAILPIT_ENV, MAILPIT_FLAGS, MINIO_ENV, RUN_BUCKET } from '../support/stack/services.js';
import { freePort } from '../support/base/net.js';
import { ManagedProcess } from '../support/stack/process.js';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  extra_hosts?: string[];
  profiles?: string[];
  command?: string[];
}

const composeText = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
const services = compose.services;
const versions = JSON.parse(readFileSync(join(ROOT, 'versions.json'), 'utf8')) as {
  sut: { version: string };
  mailpit: { version: string };
  docker: Record<string, string>;
};
const config = loadConfig({});

function service(name: string): ComposeService {
  const found = services[name];
  assert.ok(found, `docker-compose.yml has no service ${name}`);
  return found;
}

// ------------------------------------------------------------------ the compose file

test('compose: every long-running service has a health check; the one-shot bucket set-up gates the proxy by its exit', () => {
  assert.deepEqual(Object.keys(services).sort(), ['imap', 'mailpit', 'minio', 'minio-setup', 'postgres', 'proxy']);
  for (const [name, s] of Object.entries(services)) {
    if (name === 'minio-setup') continue;
    assert.ok(s.healthcheck?.test?.length, `${name} has no healthcheck`);
  }
  assert.equal(service('minio-setup').healthcheck, undefined);
  assert.deepEqual(service('minio-setup').depends_on, { minio: { condition: 'service_healthy' } });
  assert.deepEqual(service('proxy').depends_on, { 'minio-setup': { condition: 'service_completed_successfully' } });
  assert.deepEqual(service('minio-setup').command, ['mb', '--ignore-existing', 'suite/${GMP_S3_BUCKET:-gmp-acceptance}']);
  assert.match(composeText, /\$\{GMP_S3_BUCKET:-gmp-acceptance\}/);
  assert.equal(RUN_BUCKET, 'gmp-acceptance');
});

test('compose: ports are published with no fixed host port, on the address GMP_PUBLISH_IP names', () => {
  const published: Record<string, number[]> = {};
  for (const [name, s] of Object.entries(services)) {
    for (const port of s.ports ?? []) {
      const match = port.match(/^\$\{GMP_PUBLISH_IP:-127\.0\.0\.1\}::(\d+)$/);
      assert.ok(match, `${name} publishes "${port}": it must be "\${GMP_PUBLISH_IP:-127.0.0.1}::<container port>"`);
      (published[name] ??= []).push(Number(match[1]));
    }
  }
  assert.deepEqual(published, {
    imap: [PORTS.imap],
    mailpit: [PORTS.mailpitSmtp, PORTS.mailpitHttp],
    minio: [PORTS.minio],
    postgres: [PORTS.postgres],
    proxy: [PORTS.proxy],
  });
});

test('compose: wait strategies are keyed by container name (<service>-1) and cover every checked service', () => {
  const checked = Object.entries(services).filter(([, s]) => s.healthcheck).map(([name]) => containerName(name));
  assert.deepEqual(Object.keys(WAIT_PLAN).sort(), checked.sort());
  for (const name of Object.keys(WAIT_PLAN)) assert.match(name, /^[a-z-]+-1$/);
  assert.equal(containerName('proxy'), 'proxy-1');
});

test('compose: the suite\'s own file turns off exactly the checks the provider does not wait for, and the provider waits for those services itself', () => {
  // `!reset` (Compose 2.24) empties the proxy's depends_on: read here as an empty map.
  const suite = parse(readFileSync(join(ROOT, COMPOSE_SUITE_FILE), 'utf8'), { customTags: [{ tag: '!reset', resolve: () => ({}) }] }) as {
    services: Record<string, { healthcheck?: { disable?: boolean }; depends_on?: Record<string, unknown>; profiles?: string[] }>;
  };
  const off = Object.entries(suite.services).filter(([, s]) => s.healthcheck?.disable).map(([name]) => name).sort();
  for (const [container, plan] of Object.entries(WAIT_PLAN)) {
    const service = container.replace(/-1$/, '');
    assert.equal(plan.healthCheck, !off.includes(service), `${service}: the provider waits for its check only where the suite's file keeps it`);
    if (!plan.healthCheck) assert.ok(plan.http ?? plan.logLine, `${service}: waited for without its check, by HTTP or its log`);
  }
  assert.deepEqual(off, ['imap', 'mailpit', 'minio', 'proxy']);
  // minio-setup waits for MinIO's check, which is off: it is left out, and the proxy does not wait for it.
  assert.ok(services['minio-setup']?.depends_on?.minio, 'docker-compose.yml: minio-setup waits for MinIO');
  assert.ok(suite.services['minio-setup']?.profiles?.length, 'the suite leaves minio-setup out (a profile it never asks for)');
  assert.deepEqual(suite.services.proxy?.depends_on, {});
});

test('compose: images are the pinned ones of versions.json, and the versions the local stack uses', () => {
  const d = versions.docker;
  assert.equal(service('mailpit').image, d.mailpit);
  assert.equal(d.mailpit, `axllent/mailpit:${versions.mailpit.version}`);
  assert.equal(service('minio').image, d.minio);
  assert.match(d.minio!, /^quay\.io\/minio\/minio:RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/);
  assert.equal(service('minio-setup').image, d.mc);
  assert.match(d.mc!, /^quay\.io\/minio\/mc:RELEASE\./);
  assert.equal(service('postgres').image, d.postgres);
  for (const [name, s] of Object.entries(services)) {
    assert.ok(s.image, `${name} names its image`);
    assert.doesNotMatch(s.image, /:latest$|^[^:]+$/, `${name}: ${s.image} is not pinned`);
  }
  // The proxy image is built for the SUT version of versions.json unless SUT_VERSION says otherwise.
  assert.equal(service('proxy').image, `gmp-acceptance/proxy:\${SUT_VERSION:-${versions.sut.version}}`);
  assert.equal(service('proxy').build?.args?.SUT_VERSION, `\${SUT_VERSION:-${versions.sut.version}}`);
  const from = (dockerfile: string) => readFileSync(join(ROOT, dockerfile), 'utf8').match(/^FROM (\S+)/m)?.[1];
  assert.equal(from(service('imap').build!.dockerfile), d.imap_base);
  assert.equal(from(service('proxy').build!.dockerfile), d.proxy_base);
});

test('compose: Mailpit and MinIO get the settings of the local stack', () => {
  const mailpit = service('mailpit').environment ?? {};
  const expected: Record<string, string> = { ...MAILPIT_ENV };
  for (const flag of MAILPIT_FLAGS) expected[`MP_${flag.slice(2).toUpperCase().replace(/-/g, '_')}`] = 'true';
  assert.deepEqual(mailpit, expected);
  const minio = service('minio').environment ?? {};
  for (const [key, value] of Object.entries(MINIO_ENV)) assert.equal(minio[key], value, key);
  assert.equal(minio.MINIO_ROOT_USER, '${GMP_S3_ACCESS_KEY:?set by the docker provider}');
  assert.equal(minio.MINIO_ROOT_PASSWORD, '${GMP_S3_SECRET_KEY:?set by the docker provider}');
});

test('compose: PostgreSQL only under the db profile; the proxy can reach the Docker host', () => {
  assert.deepEqual(service('postgres').profiles, [DB_PROFILE]);
  for (const [name, s] of Object.entries(services)) if (name !== 'postgres') assert.equal(s.profiles, undefined, name);
  assert.deepEqual(service('proxy').extra_hosts, [`${HOST_FROM_CONTAINERS}:host-gateway`]);
});

test('compose: every variable the file interpolates is one the provider sets, and the reverse', () => {
  const used = new Set([...composeText.replace(/\$\$/g, '').matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!));
  const set = composeVariables(config, newSecrets(), {}, '0.7.0', '/tmp/files', '/tmp/written');
  assert.deepEqual([...used].sort(), Object.keys(set).sort());
  // Secrets have no default: without the provider, compose refuses to start.
  for (const secret of ['GMP_PROXY_TOKEN', 'GMP_IMAP_PASSWORD', 'GMP_S3_ACCESS_KEY', 'GMP_S3_SECRET_KEY']) {
    assert.match(composeText, new RegExp(`\\$\\{${secret}:\\?`), secret);
  }
});

test('compose: the proxy runs with the timings of the local launcher', () => {
  const command = service('proxy').command!.join(' ');
  assert.equal(command, '--db /data/proxy.db --send-loop-interval ${GMP_SEND_LOOP_INTERVAL:-0.1} --retry-delays ${GMP_RETRY_DELAYS:-1,2} --max-retries ${GMP_MAX_RETRIES:-2}');
  // The defaults in the file are the suite's defaults.
  const defaults = loadConfig({});
  assert.match(command, new RegExp(`GMP_SEND_LOOP_INTERVAL:-${defaults.proxy.sendLoopInterval}\\}`));
  assert.match(command, new RegExp(`GMP_RETRY_DELAYS:-${defaults.proxy.retryDelays.join(',')}\\}`));
  assert.match(command, new RegExp(`GMP_MAX_RETRIES:-${defaults.proxy.maxRetries}\\}`));
});

// ------------------------------------------------------------------ the images

/** .dockerignore as Docker reads it, for the patterns this file uses: the last match wins. */
function inBuildContext(path: string): boolean {
  const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  let included = true;
  for (const line of lines) {
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).replace(/\/$/, '');
    if (pattern === '*' || path === pattern || path.startsWith(`${pattern}/`)) included = negated;
  }
  return included;
}

function copySources(dockerfile: string): string[] {
  const text = readFileSync(join(ROOT, dockerfile), 'utf8');
  return [...text.matchAll(/^COPY\s+(.+)$/gm)].flatMap((m) => {
    const args = m[1]!.split(/\s+/).filter((a) => !a.startsWith('--'));
    return args.slice(0, -1);
  });
}

test('images: every file a Dockerfile copies exists and is in the build context (.dockerignore)', () => {
  for (const name of ['imap', 'proxy']) {
    const build = service(name).build!;
    assert.equal(build.context, '.', `${name} builds from the repository root`);
    const sources = copySources(build.dockerfile);
    assert.ok(sources.length > 0, `${build.dockerfile} copies something`);
    for (const source of sources) {
      assert.ok(existsSync(join(ROOT, source)), `${build.dockerfile}: ${source} does not exist`);
      assert.ok(inBuildContext(source), `${build.dockerfile}: ${source} is excluded by .dockerignore`);
    }
  }
  assert.ok(!inBuildContext('node_modules/x'), 'node_modules stays out of the build context');
  assert.ok(!inBuildContext('.stack/bin/minio'), '.stack stays out of the build context');
});

test('images: the proxy image installs the SUT as install.sh does and has a health check for further proxies', () => {
  const dockerfile = readFileSync(join(ROOT, 'docker/proxy/Dockerfile'), 'utf8');
  assert.match(dockerfile, /^HEALTHCHECK [^\n]*\\\n\s+CMD \[[^\n]*127\.0\.0\.1:8000\/health/m);
  assert.match(dockerfile, /PYTHONPATH=\/opt\/sut\/src/);
  assert.match(dockerfile, /ENTRYPOINT \["python", "\/opt\/launcher\/launcher\.py", "--host", "0\.0\.0\.0", "--port", "8000"\]/);
  const install = readFileSync(join(ROOT, 'scripts/install.sh'), 'utf8');
  const inImage = readFileSync(join(ROOT, 'docker/proxy/install-sut.sh'), 'utf8');
  // One list of requirements for both, and the same sdist download and constraints.
  assert.match(install, /python3 scripts\/sut-requirements\.py/);
  assert.match(inImage, /sut-requirements\.py/);
  assert.match(install, /pip download -q --no-deps --no-binary "\$SUT_PACKAGE"/);
  assert.match(inImage, /pip download --no-cache-dir --no-deps --no-binary "\$package"/);
  assert.match(inImage, /-c "\$build\/python-constraints\.txt"/);
});

// ------------------------------------------------------------------ Dovecot

/** A Dovecot config as setting path -> value (blocks joined with "/"). */
function dovecotSettings(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  const stack: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    if (line === '}') {
      stack.pop();
    } else if (line.endsWith('{')) {
      stack.push(line.slice(0, -1).trim());
    } else {
      const eq = line.indexOf('=');
      assert.ok(eq > 0, `not a setting: ${line}`);
      settings.set([...stack, line.slice(0, eq).trim()].join('/'), line.slice(eq + 1).trim());
    }
  }
  return settings;
}

const dockerDovecot = readFileSync(join(ROOT, 'docker/imap/dovecot.conf'), 'utf8');

test('dovecot: the IMAP image has the settings of dovecotConfig(), with container paths and the password from the environment', () => {
  const local = dovecotSettings(dovecotConfig({ dir: '/D', port: 1143, password: 'PW', logFile: '/L/dovecot.log' }));
  const docker = dovecotSettings(dockerDovecot);
  const differ: Record<string, [string, string]> = {
    listen: ['127.0.0.1', '*'],
    base_dir: ['/D/run', '/run/dovecot'],
    state_dir: ['/D/state', '/var/lib/dovecot'],
    log_path: ['/L/dovecot.log', '/dev/stderr'],
    'passdb/args': ['password=PW', 'password=%{env:IMAP_PASSWORD}'],
    'userdb/args': ['uid=dovecot gid=dovecot home=/D/mail/%u', 'uid=dovecot gid=dovecot home=/srv/mail/%u'],
    'service imap-login/inet_listener imap/address': ['127.0.0.1', '*'],
    'service imap-login/inet_listener imap/port': ['1143', '143'],
  };
  assert.deepEqual([...docker.keys()].filter((k) => !local.has(k)), ['import_environment']);
  assert.equal(docker.get('import_environment'), '$import_environment IMAP_PASSWORD');
  assert.deepEqual([...local.keys()].filter((k) => !docker.has(k)), []);
  for (const [key, value] of local) {
    if (differ[key]) {
      assert.deepEqual([value, docker.get(key)], differ[key], key);
    } else {
      assert.equal(docker.get(key), value, `${key} differs between dovecotConfig() and docker/imap/dovecot.conf`);
    }
  }
});

test('dovecot: the IMAP image config runs with the local Dovecot: any user, the password from IMAP_PASSWORD only', async () => {
  const dovecot = '/usr/sbin/dovecot';
  assert.ok(existsSync(dovecot), 'Dovecot is not installed: run `npm run setup` (Debian package dovecot-imapd)');
  const dir = mkdtempSync(join(tmpdir(), 'gmp-stack-dovecot-image-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'mail'));
  chmodSync(join(dir, 'mail'), 0o777);
  const port = await freePort();
  // Only the paths and the listener change; passdb, userdb and import_environment are the image's.
  const conf = dockerDovecot
    .replace('base_dir = /run/dovecot', `base_dir = ${dir}/run`)
    .replace('state_dir = /var/lib/dovecot', `state_dir = ${dir}/state`)
    .replace('log_path = /dev/stderr', `log_path = ${dir}/dovecot.log`)
    .replace('home=/srv/mail/%u', `home=${dir}/mail/%u`)
    .replace('listen = *', 'listen = 127.0.0.1')
    .replace('address = *', 'address = 127.0.0.1')
    .replace('port = 143', `port = ${port}`);
  assert.notEqual(conf.match(new RegExp(`port = ${port}`)), null);
  writeFileSync(join(dir, 'dovecot.conf'), conf);
  const proc = ManagedProcess.start({
    name: 'dovecot-image-config',
    command: dovecot,
    args: ['-F', '-c', join(dir, 'dovecot.conf')],
    env: { IMAP_PASSWORD: 'image-password' },
    logFile: join(dir, 'stdout.log'),
  });
  const login = async (user: string, pass: string) => {
    const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, logger: false, auth: { user, pass } });
    await client.connect();
    const status = await client.status('INBOX', { messages: true });
    await client.logout();
    return status;
  };
  try {
    const { eventually } = await import('../support/base/eventually.js');
    const status = await eventually(
      { description: 'Dovecot with the image config to accept a login', timeoutMs: 10_000, intervalMs: 100 },
      async () => {
        if (!proc.running) throw new Error(`dovecot ${proc.deathNote}: ${proc.logTail(20)}`);
        return login(`bounces-${process.pid}`, 'image-password').catch(() => undefined);
      },
    );
    assert.ok(status, 'STATUS answered');
    assert.equal(status.messages, 0);
    await assert.rejects(login('someone', 'not-the-password'), /Authentication failed|AUTHENTICATIONFAILED|Command failed/i);
  } finally {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------------ the provider's pure parts

const secrets = { proxyToken: 'tok', imapPassword: 'imappw', s3AccessKey: 'ak', s3SecretKey: 'sk' };

test('provider: compose variables carry the run secrets, the suite timings, the SUT version and the publish address', () => {
  const custom = loadConfig({ SUITE_SEND_LOOP_INTERVAL: '0.5', SUITE_RETRY_DELAYS: '3,4', SUITE_MAX_RETRIES: '5' });
  assert.deepEqual(composeVariables(custom, secrets, {}, '0.7.0', '/tmp/gmp-x-files', '/tmp/gmp-x-written'), {
    GMP_PROXY_TOKEN: 'tok',
    GMP_IMAP_PASSWORD: 'imappw',
    GMP_S3_ACCESS_KEY: 'ak',
    GMP_S3_SECRET_KEY: 'sk',
    GMP_S3_BUCKET: 'gmp-acceptance',
    GMP_SEND_LOOP_INTERVAL: '0.5',
    GMP_RETRY_DELAYS: '3,4',
    GMP_MAX_RETRIES: '5',
    GMP_PUBLISH_IP: '127.0.0.1',
    GMP_PROXY_FILES: '/tmp/gmp-x-files',
    GMP_PROXY_WRITTEN: '/tmp/gmp-x-written',
    SUT_VERSION: '0.7.0',
  });
  assert.equal(publishIp({ SUITE_DOCKER_PUBLISH_IP: '0.0.0.0' }), '0.0.0.0');
  const a = newSecrets();
  const b = newSecrets();
  assert.notEqual(a.proxyToken, b.proxyToken);
  assert.match(a.s3AccessKey, /^suite[0-9a-f]{8}$/);
  assert.ok(a.s3SecretKey.length >= 20 && /^[A-Za-z0-9_-]+$/.test(a.s3SecretKey), 'URL-safe: it goes into MC_HOST_suite');
});

test('provider: a further proxy gets the launcher arguments of the local provider', () => {
  const installed: InstalledStack = {
    sut: { key: 'k', version: '0.7.0', description: 'd', src: '/src', python: '/py' },
    launcher: '/launcher.py', mailpit: '', minio: '', dovecot: '', postgres: { bin: '' },
  };
  const local = new LocalProvider(installed, config, 'parity', () => {});
  for (const options of [
    { testMode: true, startActive: true, label: 'test-mode' },
    { testMode: false, startActive: false, label: 'inactive' },
    { testMode: false, startActive: true, label: 'own-retry', retryDelays: [10, 10] },
  ]) {
    const localArgs = local.proxySpec('p', options, { db: '/x.db', port: 1, token: 't' }).args;
    // The local launcher path, --db and --port are where the two differ (the image fixes the port).
    const withoutPort = localArgs.slice(1).filter((_, i, all) => all[i] !== '--port' && all[i - 1] !== '--port');
    assert.deepEqual(launcherArgs(config, options, '/x.db'), withoutPort);
  }
});

const view = (host: string, ports: Record<number, number>): ContainerView => ({ host, ports });
const running: Record<string, ContainerView> = {
  'mailpit-1': view('localhost', { 1025: 49001, 8025: 49002 }),
  'imap-1': view('localhost', { 143: 49003 }),
  'minio-1': view('localhost', { 9000: 49004 }),
  'proxy-1': view('localhost', { 8000: 49005 }),
};
const receiver = { listenHost: '172.17.0.1', hostForProxy: 'host.docker.internal' };

test('provider: compose ports map into the endpoints; the proxy reaches services by service name', () => {
  assert.deepEqual(composeEndpoints(running, secrets, receiver), {
    proxy: { baseUrl: 'http://127.0.0.1:49005', token: 'tok' },
    mailpit: { apiUrl: 'http://127.0.0.1:49002', smtpForProxy: { host: 'mailpit', port: 1025 } },
    imap: { host: '127.0.0.1', port: 49003, password: 'imappw', forProxy: { host: 'imap', port: 143 } },
    s3: {
      endpoint: 'http://127.0.0.1:49004',
      region: 'us-east-1',
      accessKeyId: 'ak',
      secretAccessKey: 'sk',
      endpointForProxy: 'http://minio:9000',
      bucket: 'gmp-acceptance',
    },
    partners: receiver,
  });
  // A remote engine (DOCKER_HOST=tcp://builder:2375) keeps its host name.
  const remote = Object.fromEntries(Object.entries(running).map(([k, v]) => [k, { ...v, host: 'builder' }]));
  assert.equal(composeEndpoints(remote, secrets, receiver).mailpit.apiUrl, 'http://builder:49002');
  assert.equal(suiteHost('localhost'), '127.0.0.1');
  assert.equal(suiteHost('10.0.0.5'), '10.0.0.5');
});

test('provider: a missing container or port is named', () => {
  const { ['imap-1']: _imap, ...withoutImap } = running;
  assert.throws(() => composeEndpoints(withoutImap, secrets, receiver), /no running container imap-1 \(running: mailpit-1, minio-1, proxy-1\)/);
  assert.throws(() => composeEndpoints({ ...running, 'minio-1': view('localhost', {}) }, secrets, receiver), /container minio-1 publishes no host port for its port 9000/);
});

test('provider: the host port after a restart is read from docker inspect', () => {
  assert.equal(hostPortFromInspect({ '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '49153' }] }, 8000), 49153);
  assert.equal(hostPortFromInspect({ '8000/tcp': [{ HostIp: '::', HostPort: '49160' }, { HostIp: '0.0.0.0', HostPort: '49161' }] }, 8000), 49161);
  assert.equal(hostPortFromInspect({ '8000/tcp': [{ HostIp: '', HostPort: '49170' }] }, 8000), 49170);
  assert.equal(hostPortFromInspect({ '8000/tcp': null }, 8000), undefined);
  assert.equal(hostPortFromInspect({}, 8000), undefined);
  assert.equal(hostPortFromInspect(undefined, 8000), undefined);
});

test('provider: the servers of the test process listen on the compose network\'s gateway when they can', () => {
  assert.deepEqual(partnersFor('172.18.0.1', true, {}), { listenHost: '172.18.0.1', hostForProxy: '172.18.0.1' });
  // Docker Desktop: the gateway is not an address of this machine; host.docker.internal forwards to its loopback.
  assert.deepEqual(partnersFor('192.168.65.1', false, {}), { listenHost: '127.0.0.1', hostForProxy: 'host.docker.internal' });
  assert.deepEqual(partnersFor(undefined, false, {}), { listenHost: '127.0.0.1', hostForProxy: 'host.docker.internal' });
  assert.deepEqual(partnersFor('172.18.0.1', true, { SUITE_PARTNER_LISTEN_HOST: '0.0.0.0', SUITE_PARTNER_HOST_FOR_PROXY: 'runner' }), { listenHost: '0.0.0.0', hostForProxy: 'runner' });
});

test('provider: further proxies get the S3 settings of the compose proxy, and a database their container can open', () => {
  const { GMP_LAUNCHER_TOKEN: token, ...rest } = proxyEnvironment(secrets, 'own-token');
  const { GMP_LAUNCHER_TOKEN: composeToken, ...composeRest } = service('proxy').environment!;
  assert.equal(token, 'own-token');
  assert.match(composeToken!, /^\$\{GMP_PROXY_TOKEN:\?/);
  // The compose service takes the same values from the variables the provider sets.
  const interpolated = Object.fromEntries(
    Object.entries(composeRest).map(([k, v]) => [k, v.replace(/^\$\{GMP_S3_ACCESS_KEY:\?[^}]*\}$/, 'ak').replace(/^\$\{GMP_S3_SECRET_KEY:\?[^}]*\}$/, 'sk')]),
  );
  assert.deepEqual(rest, interpolated);
  assert.equal(proxyDatabase(undefined), '/data/proxy.db');
  assert.equal(proxyDatabase('postgresql://postgres@postgres:5432/gmp_1_1'), 'postgresql://postgres@postgres:5432/gmp_1_1');
  assert.equal(proxyDatabase('/data/proxy.db'), '/data/proxy.db');
  assert.throws(() => proxyDatabase('/tmp/gmp-stack-x/proxy.db'), /keeps its SQLite database in its own container/);
});

test('provider: the proxy reads the run\'s file directory at the same path, read-only', () => {
  const volumes = (service('proxy') as { volumes?: string[] }).volumes ?? [];
  assert.ok(
    volumes.includes('${GMP_PROXY_FILES:?set by the docker provider}:${GMP_PROXY_FILES:?set by the docker provider}:ro'),
    `the proxy's volumes: ${volumes.join(', ')}`,
  );
});

test('provider: the proxy writes the run\'s written directory, at a path of its own', () => {
  const volumes = (service('proxy') as { volumes?: string[] }).volumes ?? [];
  assert.ok(volumes.includes(`\${GMP_PROXY_WRITTEN:?set by the docker provider}:${PROXY_WRITTEN_TARGET}`), `the proxy's volumes: ${volumes.join(', ')}`);
});

test('provider: one compose project per run and worker; the run of a project is known again', () => {
  const facts = { pid: 4242, ppid: 4200, hostname: 'ci-runner' };
  const tag = hostTag('ci-runner');
  assert.match(tag, /^[0-9a-f]{4}$/);
  assert.equal(runId({}, facts), `${tag}p4242`);
  // With --parallel, every worker names the coordinator, its parent.
  assert.equal(runId({ CUCUMBER_WORKER_ID: '1' }, facts), `${tag}p4200`);
  assert.equal(runId({ SUITE_DOCKER_RUN_ID: 'Leak_Test-7' }, facts), 'leaktest7');
  assert.equal(projectName(`${tag}p4200`, 'worker-1'), `gmp-${tag}p4200-worker-1`);
  assert.notEqual(projectName(`${tag}p4200`, 'worker-0'), projectName(`${tag}p4200`, 'worker-1'));
  assert.deepEqual(projectOwner(`gmp-${tag}p4200-worker-1`), { hostTag: tag, pid: 4200 });
  assert.equal(projectOwner('gmp-leaktest7-serial'), undefined);
  assert.equal(projectOwner('someone-else'), undefined);
});

test('provider: inside a container, the host of published ports is worked out or the fix is named', () => {
  const base = { override: undefined, inContainer: true, dockerHost: 'unix:///run/x/docker.sock', engineInThisNetwork: true, engineAnswers: true, publishIp: '127.0.0.1' };
  // The engine runs in this container's network (a private dockerd): its 127.0.0.1 ports are here.
  assert.equal(hostOverrideFor(base), '127.0.0.1');
  assert.equal(hostOverrideFor({ ...base, publishIp: '0.0.0.0' }), '127.0.0.1');
  // Not in a container, or already set: testcontainers is left alone.
  assert.equal(hostOverrideFor({ ...base, inContainer: false }), undefined);
  assert.equal(hostOverrideFor({ ...base, override: '10.0.0.2' }), undefined);
  // The host's engine (its socket mounted in): ports on 0.0.0.0 are reached through the gateway, as testcontainers does.
  assert.equal(hostOverrideFor({ ...base, engineInThisNetwork: false, publishIp: '0.0.0.0' }), undefined);
  assert.throws(() => hostOverrideFor({ ...base, engineInThisNetwork: false }), /SUITE_DOCKER_PUBLISH_IP=0\.0\.0\.0[\s\S]*TESTCONTAINERS_HOST_OVERRIDE/);
  assert.throws(() => hostOverrideFor({ ...base, engineInThisNetwork: false }), /not in this container's network/);
  // No engine answers: that failure is named when the provider connects, not this one.
  assert.equal(hostOverrideFor({ ...base, engineInThisNetwork: false, engineAnswers: false }), undefined);
  // A tcp:// engine: testcontainers uses its host name.
  assert.equal(hostOverrideFor({ ...base, dockerHost: 'tcp://builder:2375', engineInThisNetwork: false }), undefined);
  const procNetUnix = [
    'Num       RefCount Protocol Flags    Type St Inode Path',
    '0000000029387cfb: 00000002 00000000 00010000 0001 01 565106 /run/x/docker.sock',
    '00000000accd9dd3: 00000003 00000000 00000000 0001 03 663696 /run/y/docker.sock',
  ].join('\n');
  assert.equal(unixSocketListens(procNetUnix, '/run/x/docker.sock'), true);
  assert.equal(unixSocketListens(procNetUnix, '/run/y/docker.sock'), false, 'connected, not listening');
  assert.equal(unixSocketListens(procNetUnix, '/var/run/docker.sock'), false);
});

test('provider: compose failures come with the likely fix', () => {
  assert.match(composeUpFailure(new Error("docker: 'compose' is not a docker command."), 'p').message, /the Docker stack \(compose project p\) did not come up[\s\S]*Docker Compose v2 is needed/);
  assert.match(composeUpFailure(new Error('dependency failed to start: container p-minio-1 is unhealthy'), 'p').message, /failed its health check[\s\S]*docker compose -p p logs/);
  assert.match(composeUpFailure(new Error('Error response from daemon: pull access denied for x'), 'p').message, /could not be pulled/);
  assert.match(composeUpFailure('invalid IP address in add-host: "host-gateway"', 'p').message, /20\.10 or newer/);
});

// ------------------------------------------------------------------ no engine

test('provider: no engine is a DockerEngineUnavailable naming the fix, at once', async () => {
  const t0 = Date.now();
  await assert.rejects(
    connectToEngine(5_000, async () => {
      throw new Error('Could not find a working container runtime strategy');
    }),
    (error: unknown) => {
      assert.ok(error instanceof DockerEngineUnavailable);
      assert.match(error.message, /^STACK=docker needs a Docker engine, and none answers \(testcontainers: Could not find a working container runtime strategy\)\./);
      assert.match(error.message, /Fix: start a Docker engine with Compose v2[\s\S]*`docker info`[\s\S]*npm run setup/);
      return true;
    },
  );
  assert.ok(Date.now() - t0 < 1000);
});

test('provider: an engine that does not answer is given up at the deadline', async () => {
  const t0 = Date.now();
  await assert.rejects(connectToEngine(300, () => new Promise(() => {})), /none answers \(testcontainers: the Docker engine did not answer within 300 ms\)/);
  const elapsed = Date.now() - t0;
  assert.ok(elapsed >= 290 && elapsed < 2000, `gave up after ${elapsed} ms`);
});

test('provider: SUT_SOURCE is refused in Docker mode, before the engine is asked', async () => {
  const provider = new DockerProvider(config, { SUT_SOURCE: '/src/gmp' }, 'node-test', () => {});
  await assert.rejects(provider.start(), /SUT_SOURCE=\/src\/gmp is set, but Docker mode installs the SUT from its PyPI sdist[\s\S]*STACK=local/);
});

test('without an engine: the docker provider fails within seconds, and so does `STACK=docker cucumber-js`', async (t) => {
  // An engine that is not there, whatever this machine runs (a DOCKER_HOST that is set
  // also keeps .stack/docker/env from being read). testcontainers reads process.env.
  const gone = { DOCKER_HOST: `unix://${join(tmpdir(), 'gmp-no-engine', 'docker.sock')}` };
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = gone.DOCKER_HOST;
  t.after(() => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  });
  assert.equal(await dockerEngineAnswers(), false);
  const t0 = Date.now();
  const provider = new DockerProvider(config, { ...gone }, 'node-test', () => {});
  await assert.rejects(provider.start(), DockerEngineUnavailable);
  assert.ok(Date.now() - t0 < 5_000, `the provider took ${Date.now() - t0} ms`);
  t.diagnostic(`the docker provider failed after ${Date.now() - t0} ms`);
  await provider.stop();

  // The whole suite, as a user runs it (reports go to a temp dir, not reports/).
  const dir = mkdtempSync(join(tmpdir(), 'gmp-docker-cli-'));
  const profile = parse(readFileSync(join(ROOT, 'cucumber.yaml'), 'utf8')).default as Record<string, unknown>;
  writeFileSync(join(dir, 'cucumber.json'), JSON.stringify({ default: { ...profile, format: ['progress'] } }));
  const started = Date.now();
  const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
    // cucumber-js 12 reads --config relative to the working directory, even an absolute path.
    const child = spawn(join(ROOT, 'node_modules/.bin/cucumber-js'), ['--config', relative(ROOT, join(dir, 'cucumber.json'))], {
      cwd: ROOT,
      env: { ...process.env, STACK: 'docker', ...gone },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
  const elapsed = Date.now() - started;
  rmSync(dir, { recursive: true, force: true });
  assert.notEqual(result.code, 0);
  assert.ok(elapsed < 10_000, `STACK=docker cucumber-js took ${elapsed} ms`);
  t.diagnostic(`STACK=docker cucumber-js exited ${result.code} after ${elapsed} ms`);
  assert.match(result.output, /STACK=docker needs a Docker engine, and none answers/);
  assert.match(result.output, /Fix: start a Docker engine with Compose v2/);
});
