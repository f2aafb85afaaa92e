/**
 * Over 300 lines on purpose: the six ways a run must stay honest about its own results, each checked with real runs of cucumber-js.
 *
 * A run is judged on its own results, and says so when it has none
 * (support/reporting/run-report.mjs, run-folder.mjs, scripts/acceptance.sh):
 *  1. a reports folder it cannot write fails the run, never passes it on an earlier run's files;
 *  2. two runs at once each get their own folder and verdict;
 *  3. a run that ends early leaves "no verdict" and the reason in place of the earlier verdict;
 *  4. a one-off SUT_SOURCE or SUT_VERSION does not change what a later plain run tests;
 *  5. a feature path on the command line runs that path only;
 *  6. STACK=external with services that do not answer stops with one error before any scenario.
 * Real cucumber-js and scripts/acceptance.sh, on fixtures (1-3) or as dry runs (5); no SUT.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { describeSut, installedManifest, loadConfig, ROOT } from '../support/base/config.js';
import { freePort } from '../support/base/net.js';
import { servicesToReach, unreachableServices } from '../support/stack/external.js';
import { createProvider } from '../support/stack/session.js';
import { readEnvelopes, scenarioResults } from '../tools/ledger/results.js';
import { acceptance, cucumber, latest, readJson, scenarioStarted, scratchReports, type Run } from './run-fixture.js';
import { parse as parseYaml } from 'yaml';

const scratch: string[] = [];
function reportsFor(name: string): string {
  const dir = scratchReports(name);
  scratch.push(dir);
  return dir;
}
after(() => {
  for (const dir of scratch) {
    writable(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

function walk(dir: string, visit: (path: string, isDir: boolean) => void): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const isDir = statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
    if (isDir) walk(path, visit);
    visit(path, isDir);
  }
}
function readOnly(dir: string): void {
  walk(dir, (path, isDir) => chmodSync(path, isDir ? 0o555 : 0o444));
  chmodSync(dir, 0o555);
}
function writable(dir: string): void {
  try {
    chmodSync(dir, 0o755);
    walk(dir, (path, isDir) => chmodSync(path, isDir ? 0o755 : 0o644));
  } catch {
    // Already gone.
  }
}

/** A reports folder whose latest run passed. */
async function afterAPass(name: string): Promise<{ reports: string; earlier: string }> {
  const reports = reportsFor(name);
  const run = await cucumber(['--tags', '@ordinary'], { reports });
  assert.equal(run.code, 0, run.out);
  assert.equal(readJson(join(reports, 'verdict.json')).exitCode, 0);
  return { reports, earlier: latest(reports) };
}

/** The verdict in reports/ is "no verdict", with the reason, and not the earlier run's. */
function assertNoVerdict(reports: string, earlier: string, reason: RegExp): void {
  assert.notEqual(latest(reports), earlier, 'reports/latest still points at the earlier run');
  const md = readFileSync(join(reports, 'verdict.md'), 'utf8');
  assert.match(md, /^# No verdict\n/, md);
  assert.match(md, reason);
  const json = readJson(join(reports, 'verdict.json'));
  assert.equal(json.state, 'no-verdict');
  assert.equal(json.exitCode, 1);
  assert.match(readFileSync(join(reports, 'index.html'), 'utf8'), /<h1>No verdict<\/h1>/);
}

const VERDICT_LINES = /acceptance: \d+ passed, \d+ failed/;

/** ROOT and every folder above it. */
function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    out.push(d);
    if (dirname(d) === d) return out;
  }
}

describe('run integrity', { concurrency: true }, () => {
  test('1. a read-only reports folder gives no pass from an earlier run: the run fails and says so', async () => {
    const { reports } = await afterAPass('read-only');
    // root writes anyway: the runs go as another user, as a read-only folder would meet them.
    const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    // That user must reach the checkout: a clone under mktemp -d (mode 0700) is closed to
    // it, so the folders above the checkout are opened to others for this test only.
    const closed = process.getuid?.() === 0 ? ancestors(ROOT).filter((d) => (statSync(d).mode & 0o001) === 0) : [];
    for (const d of closed) chmodSync(d, statSync(d).mode | 0o001);
    readOnly(reports);
    try {
      const plain = await cucumber(['--tags', '@ordinary'], { reports, ...asOther });
      assert.equal(plain.code, 1, plain.out);
      assert.match(plain.out, /cannot write this run's reports in \S+\/runs\/\S+: EACCES/);
      assert.doesNotMatch(plain.out, VERDICT_LINES);
      const npm = await acceptance(['--tags', '@ordinary'], { reports, ...asOther });
      assert.equal(npm.code, 1, npm.out);
      assert.match(npm.out, /^acceptance: no verdict: cannot write this run's reports in \S+\/runs\/\S+: .*Permission denied/m);
      assert.doesNotMatch(npm.out, VERDICT_LINES);
    } finally {
      writable(reports);
      for (const d of closed) chmodSync(d, statSync(d).mode & ~0o001);
    }
  });

  test('2. two runs at once in one checkout are each judged on their own results', async () => {
    const reports = reportsFor('two-runs');
    // Both take three seconds (@slow), so they overlap; one passes, one has a broken scenario.
    const [good, bad] = await Promise.all([
      acceptance(['--tags', '@slow or @ordinary'], { reports }),
      cucumber(['--tags', '@slow or @ordinary-broken'], { reports }),
    ]);
    assert.equal(good.code, 0, good.out);
    assert.match(good.out, /acceptance: 2 passed, 0 failed\nknown defects: 0 confirmed/);
    assert.equal(bad.code, 1, bad.out);
    assert.match(bad.out, /acceptance: 1 passed, 1 failed\nknown defects: 0 confirmed/);
    const folder = (run: Run) => /its reports are in (\S+)\/ /.exec(run.out)?.[1] ?? assert.fail(`no run folder named in:\n${run.out}`);
    const [goodDir, badDir] = [folder(good), folder(bad)];
    assert.notEqual(goodDir, badDir);
    const [goodVerdict, badVerdict] = [readJson(join(goodDir, 'verdict.json')), readJson(join(badDir, 'verdict.json'))];
    assert.deepEqual([goodVerdict.counts.passed, goodVerdict.counts.failed, goodVerdict.exitCode], [2, 0, 0]);
    assert.deepEqual([badVerdict.counts.passed, badVerdict.counts.failed, badVerdict.exitCode], [1, 1, 1]);
    assert.ok(
      goodVerdict.run.started < badVerdict.run.finished && badVerdict.run.started < goodVerdict.run.finished,
      `the two runs did not overlap: ${JSON.stringify([goodVerdict.run, badVerdict.run])}`,
    );
    assert.ok([goodDir, badDir].includes(latest(reports)), 'reports/latest points at one of the two runs');
  });

  describe('3. a run that ends early replaces the earlier verdict with "no verdict" and the reason', { concurrency: true }, () => {
    test('an unknown profile (npm run acceptance)', async () => {
      const { reports, earlier } = await afterAPass('unknown-profile');
      const run = await acceptance(['-p', 'nosuch'], { reports });
      assert.equal(run.code, 1, run.out);
      assert.match(run.out, /^acceptance: no verdict: Cucumber stopped \(exit code 1\) before the run started/m);
      assertNoVerdict(reports, earlier, /Requested profile "nosuch" doesn't exist/);
    });

    test('a bad tag expression (npm run acceptance and plain cucumber-js)', async () => {
      const { reports, earlier } = await afterAPass('bad-tags');
      const npm = await acceptance(['--tags', '@ordinary and ('], { reports });
      assert.equal(npm.code, 1, npm.out);
      assertNoVerdict(reports, earlier, /a bad --tags expression[\s\S]*Cucumber said:[\s\S]*@ordinary and \(/);
      const plain = await cucumber(['--tags', '@ordinary and ('], { reports });
      assert.equal(plain.code, 1, plain.out);
      assertNoVerdict(reports, earlier, /stopped while reading the features and selecting the scenarios \(exit code 1\): a bad --tags expression/);
    });

    test('a stack that does not start', async () => {
      const { reports, earlier } = await afterAPass('start-fails');
      const run = await acceptance(['--tags', '@ordinary'], { reports, env: { RUN_REPORT_FIXTURE_START_FAILS: '1' } });
      assert.equal(run.code, 1, run.out);
      assertNoVerdict(reports, earlier, /the stack did not start, so no scenario ran \(a BeforeAll hook failed\):\nError: the proxy exited at start \(fixture\)/);
    });

    test('Ctrl-C (npm run acceptance)', async () => {
      const { reports, earlier } = await afterAPass('ctrl-c-acceptance');
      const run = await acceptance(['--tags', '@slow'], {
        reports,
        started: (child) => void scenarioStarted(reports, earlier).then(() => child.kill('SIGINT')),
      });
      assert.equal(run.code, 130, run.out);
      assert.match(run.out, /^acceptance: no verdict: the run was interrupted/m);
      assertNoVerdict(reports, earlier, /interrupted/);
    });

    test('Ctrl-C (plain cucumber-js)', async () => {
      const { reports, earlier } = await afterAPass('ctrl-c-plain');
      const run = await cucumber(['--tags', '@slow'], {
        reports,
        started: (child) => void scenarioStarted(reports, earlier).then(() => child.kill('SIGINT')),
      });
      assert.ok(run.signal === 'SIGINT' || run.code === 130, `cucumber-js ended with ${run.code ?? run.signal}:\n${run.out}`);
      assertNoVerdict(reports, earlier, /the run was interrupted \(SIGINT\) before it finished/);
    });

    test('no scenario selected', async () => {
      const { reports, earlier } = await afterAPass('no-scenario');
      const run = await cucumber(['--tags', '@no-such-tag'], { reports });
      assert.equal(run.code, 1, run.out);
      assertNoVerdict(reports, earlier, /no scenario matches the feature paths, --tags and --name given/);
    });
  });

  describe('4. a one-off SUT does not change what a later plain run tests', () => {
    const stack = reportsFor('stack-manifests');
    const manifest = (key: string, version: string, src: string, description: string) =>
      writeFileSync(
        join(stack, `installed${key === 'pypi-0.7.0' ? '' : `-${key}`}.json`),
        JSON.stringify({ sut: { key, version, description, src, python: '/x/python' }, launcher: '', mailpit: '', minio: '', dovecot: '', postgres: { bin: '' } }),
      );
    mkdirSync(stack, { recursive: true });
    manifest('pypi-0.7.0', '0.7.0', '/x/pypi/src', 'genro-mail-proxy 0.7.0 (PyPI sdist)');
    // What `SUT_SOURCE=/src/gmp npm run setup` leaves beside it, and `SUT_VERSION=0.6.10 npm run setup` would, were 0.6.10 in
    // versions.json's sut.supported (today it is refused: test/sut-version.test.ts).
    manifest('local-0123456789', 'local', '/src/gmp/src', 'local checkout /src/gmp');
    manifest('pypi-0.6.10', '0.6.10', '/x/old/src', 'genro-mail-proxy 0.6.10 (PyPI sdist)');

    test('each run uses the manifest its own variables ask for; a plain run, the default', () => {
      assert.equal(installedManifest({}, stack).path, join(stack, 'installed.json'));
      assert.equal(installedManifest({ SUT_VERSION: '0.7.0' }, stack).path, join(stack, 'installed.json'));
      assert.equal(installedManifest({ SUT_SOURCE: '/src/gmp' }, stack).path, join(stack, 'installed-local-0123456789.json'));
      assert.equal(installedManifest({ SUT_SOURCE: '/src/gmp/' }, stack).path, join(stack, 'installed-local-0123456789.json'));
      assert.equal(installedManifest({ SUT_SOURCE: '/src/other' }, stack).path, undefined);
      assert.equal(installedManifest({ SUT_VERSION: '0.6.10' }, stack).path, join(stack, 'installed-pypi-0.6.10.json'));
    });

    test('every run says which SUT it tests and why', () => {
      assert.deepEqual(describeSut({}, undefined, stack), {
        description: 'genro-mail-proxy 0.7.0 (PyPI sdist)',
        why: 'the default SUT (versions.json), from .stack/installed.json',
      });
      assert.deepEqual(describeSut({ SUT_SOURCE: '/src/gmp' }, undefined, stack), {
        description: 'local checkout /src/gmp',
        why: 'SUT_SOURCE=/src/gmp (this run only), from .stack/installed-local-0123456789.json',
      });
      assert.match(describeSut({ SUT_SOURCE: '/src/other' }, undefined, stack).description, /SUT_SOURCE=\/src\/other: not installed/);
      assert.match(describeSut({ STACK: 'docker' }, undefined, stack).description, /^genro-mail-proxy 0\.7\.0 \(Docker image/);
      assert.match(describeSut({ STACK: 'external', EXTERNAL_PROXY_URL: 'http://proxy:8000' }, undefined, stack).description, /the proxy at http:\/\/proxy:8000/);
    });

    test('a one-off SUT that is not installed is named, with the command that installs it', () => {
      assert.throws(
        () => createProvider({ name: 'local', reason: 'STACK=local' }, loadConfig({}), { SUT_SOURCE: '/nonexistent/gmp' }, 'test'),
        /SUT_SOURCE=\/nonexistent\/gmp is set, but that SUT is not installed\. Run: SUT_SOURCE=\/nonexistent\/gmp npm run setup/,
      );
    });

    test('scripts/install.sh writes .stack/installed.json for the default SUT only', () => {
      const script = readFileSync(join(import.meta.dirname, '..', 'scripts', 'install.sh'), 'utf8');
      assert.match(script, /if \[ "\$SUT_KEY" = "pypi-\$\(v "v\.sut\.version"\)" \]; then\n\s+MANIFEST="\$STACK\/installed\.json"\nelse\n\s+MANIFEST="\$STACK\/installed-\$SUT_KEY\.json"/);
    });
  });

  describe('5. a feature path on the command line runs that path only', { concurrency: true }, () => {
    /** The scenarios a dry run of the project's own cucumber.yaml selects. */
    async function selected(args: string[], how: typeof cucumber = cucumber): Promise<{ uri: string; name: string; tags: string[] }[]> {
      const reports = reportsFor('paths');
      const run = await how(['--config', 'cucumber.yaml', '--dry-run', ...args], { reports, env: { STACK: 'external' } });
      assert.equal(run.code, 0, run.out);
      return scenarioResults(readEnvelopes(join(latest(reports), 'cucumber-messages.ndjson')));
    }
    const featureFiles = readdirSync(join(import.meta.dirname, '..', 'features'))
      .filter((f) => f.endsWith('.feature'))
      .map((f) => `features/${f}`)
      .sort();
    const uris = (list: { uri: string }[]) => [...new Set(list.map((s) => s.uri))].sort();

    test('no profile names paths, and every profile writes its run folder and verdict (the run-report plugin)', () => {
      const profiles = parseYaml(readFileSync(join(import.meta.dirname, '..', 'cucumber.yaml'), 'utf8')) as Record<string, { paths?: unknown; plugin?: string[] }>;
      for (const [name, profile] of Object.entries(profiles)) {
        assert.equal(profile.paths, undefined, `profile ${name} names paths: a path on the command line would be added to them`);
        assert.ok(profile.plugin?.includes('./support/reporting/run-report.mjs'), `profile ${name} does not load support/reporting/run-report.mjs`);
      }
    });

    test('npx cucumber-js features/monitoring.feature, and npm run acceptance -- features/monitoring.feature', async () => {
      for (const how of [cucumber, acceptance]) {
        const only = await selected(['features/monitoring.feature'], how);
        assert.ok(only.length > 0);
        assert.deepEqual(uris(only), ['features/monitoring.feature']);
      }
    });

    test('without a path, the default finds every feature (with the load profile for @load)', async () => {
      const [all, load] = await Promise.all([selected([]), selected(['-p', 'load'])]);
      assert.deepEqual([...new Set([...uris(all), ...uris(load)])].sort(), featureFiles);
      assert.ok(all.every((s) => !s.tags.includes('@load')) && load.length > 0 && load.every((s) => s.tags.includes('@load')));
    });

    test('--tags @fullstack and -p fullstack still select the @fullstack scenarios', async () => {
      const [tagged, profile] = await Promise.all([selected(['--tags', '@fullstack']), selected(['-p', 'fullstack'])]);
      assert.ok(tagged.length > 0 && tagged.every((s) => s.tags.includes('@fullstack')));
      const names = (list: { uri: string; name: string }[]) => list.map((s) => `${s.uri} ${s.name}`).sort();
      assert.deepEqual(names(profile), names(tagged));
    });
  });

  describe('6. STACK=external with services that do not answer', () => {
    test('stops before any scenario with one error naming each service and its address', async () => {
      const [proxy, mailpit, imap, s3] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
      const reports = reportsFor('external');
      const env = {
        STACK: 'external',
        EXTERNAL_PROXY_URL: `http://127.0.0.1:${proxy}`,
        EXTERNAL_PROXY_TOKEN: 'token',
        EXTERNAL_MAILPIT_URL: `http://127.0.0.1:${mailpit}`,
        EXTERNAL_SMTP_HOST: 'mailpit-as-the-proxy-sees-it',
        EXTERNAL_SMTP_PORT: '1025',
        EXTERNAL_IMAP_HOST: '127.0.0.1',
        EXTERNAL_IMAP_PORT: String(imap),
        EXTERNAL_IMAP_PASSWORD: 'x',
        EXTERNAL_S3_ENDPOINT: `http://127.0.0.1:${s3}`,
        EXTERNAL_S3_ACCESS_KEY: 'a',
        EXTERNAL_S3_SECRET_KEY: 'b',
      };
      const run = await cucumber(['--config', 'cucumber.yaml', '--tags', '@delivery'], { reports, env });
      assert.equal(run.code, 1, run.out);
      assert.equal(run.out.match(/services do not answer/g)?.length, 1, run.out);
      assert.match(run.out, /STACK=external: 4 services do not answer, so no scenario can run:/);
      assert.match(run.out, new RegExp(`- the proxy at http://127\\.0\\.0\\.1:${proxy} \\(EXTERNAL_PROXY_URL\\): connect ECONNREFUSED`));
      assert.match(run.out, new RegExp(`- the IMAP server at 127\\.0\\.0\\.1:${imap} \\(EXTERNAL_IMAP_HOST, EXTERNAL_IMAP_PORT\\): connect ECONNREFUSED`));
      assert.match(run.out, new RegExp(`\\[stack\\] SUT: the proxy at http://127\\.0\\.0\\.1:${proxy}: STACK=external`));
      assert.doesNotMatch(run.out, /Changed failure|Scenario:/);
      assert.ok(run.out.split('\n').length < 60, `${run.out.split('\n').length} lines of output`);
      const md = readFileSync(join(reports, 'verdict.md'), 'utf8');
      assert.match(md, /^# No verdict\n[\s\S]*the stack did not start, so no scenario ran[\s\S]*4 services do not answer/);
    });

    test('only what the suite itself connects to is checked, all at once', async () => {
      const env = {
        EXTERNAL_PROXY_URL: 'https://proxy.example',
        EXTERNAL_PROXY_TOKEN: 't',
        EXTERNAL_MAILPIT_URL: 'http://mailpit:8025',
        EXTERNAL_SMTP_HOST: 'mailpit',
        EXTERNAL_SMTP_PORT: '1025',
        EXTERNAL_IMAP_HOST: 'imap',
        EXTERNAL_IMAP_PORT: '143',
        EXTERNAL_IMAP_PASSWORD: 'x',
        EXTERNAL_S3_ENDPOINT: 'http://minio:9000',
        EXTERNAL_S3_ACCESS_KEY: 'a',
        EXTERNAL_S3_SECRET_KEY: 'b',
        EXTERNAL_TESTMODE_PROXY_URL: 'http://testmode:8001',
      };
      const services = servicesToReach(env);
      assert.deepEqual(
        services.map((s) => `${s.service} ${s.host}:${s.port}`),
        ['the proxy proxy.example:443', 'the Mailpit API mailpit:8025', 'the IMAP server imap:143', 'the S3 store minio:9000', 'the test-mode proxy testmode:8001'],
      );
      const probed: string[] = [];
      const lines = await unreachableServices(services, async (host, port) => {
        probed.push(`${host}:${port}`);
        if (host === 'imap') throw new Error('connect ECONNREFUSED');
      });
      assert.equal(probed.length, 5);
      assert.deepEqual(lines, ['the IMAP server at imap:143 (EXTERNAL_IMAP_HOST, EXTERNAL_IMAP_PORT): connect ECONNREFUSED']);
    });
  });
});
