/**
 * No stale green, and each error said once (issue 21):
 *  1. a run whose install fails writes "no verdict" with the install's error into its own
 *     folder, and reports/latest, verdict.json, the JUnit file and the page lead to it;
 *  4. cucumber-js started in a subfolder says in one line where to run it, and fails;
 *  6. a stack that does not start says why once, without stack traces (GMP_DEBUG=1 keeps them);
 *  7. plain cucumber-js ends with the same `acceptance:` line as npm run acceptance, when
 *     interrupted and when the stack does not start;
 *  8. a feature path that does not exist is "no verdict", in one line;
 *  9. a venv whose Python this user cannot reach is named as the cause, not python3-venv.
 * Real cucumber-js and scripts/acceptance.sh, with runs that end before any scenario (or
 * the fixture features of test/fixtures/run-report); no SUT.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ROOT } from '../support/base/config.js';
import { acceptance, cucumber, latest, readJson, scenarioStarted, scratchReports, type Run } from './run-fixture.js';

const scratch: string[] = [];
function reportsFor(name: string): string {
  const dir = scratchReports(name);
  scratch.push(dir);
  return dir;
}
after(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A reports folder whose latest run passed (the fixture features). */
async function afterAPass(name: string): Promise<{ reports: string; earlier: string }> {
  const reports = reportsFor(name);
  const run = await cucumber(['--tags', '@ordinary'], { reports });
  assert.equal(run.code, 0, run.out);
  assert.equal(readJson(join(reports, 'verdict.json')).state, 'judged');
  return { reports, earlier: latest(reports) };
}

/** Every name in reports/ that a CI job or a reader looks at says "no verdict" for this run, with `reason`. */
function assertNoVerdictEverywhere(reports: string, earlier: string, reason: RegExp): void {
  assert.notEqual(latest(reports), earlier, 'reports/latest still points at the earlier, green run');
  const json = readJson(join(reports, 'verdict.json'));
  assert.equal(json.state, 'no-verdict');
  assert.equal(json.exitCode, 1);
  assert.match(json.noVerdict, reason);
  assert.match(readFileSync(join(reports, 'verdict.md'), 'utf8'), /^# No verdict\n/);
  assert.match(readFileSync(join(reports, 'index.html'), 'utf8'), /<h1>No verdict<\/h1>/);
  const junit = readFileSync(join(reports, 'cucumber-junit.xml'), 'utf8');
  assert.match(junit, /<testsuites name="acceptance" tests="1" failures="0" errors="1">/);
  assert.match(junit, /<error message="acceptance: no verdict: /);
  assert.doesNotMatch(junit, /errors="0"/);
}

/** The `acceptance:` lines of a run's output. */
const acceptanceLines = (run: Run) => run.out.split('\n').filter((l) => l.startsWith('acceptance:'));
/** Stack frames in a run's output. */
const stackFrames = (run: Run) => run.out.split('\n').filter((l) => /^\s+at\s/.test(l));

/** The project's own configuration (its hooks start the stack), with a tiny selection. */
const PROJECT = ['--config', 'cucumber.yaml', '--tags', '@monitoring'];
/** No EXTERNAL_* variable from the caller's environment. */
const NO_EXTERNAL = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('EXTERNAL_')).map((k) => [k, '']));

describe('no stale green, each error once', { concurrency: true }, () => {
  test('1. an install that fails: the run is recorded first, and says "no verdict" with the install\'s error', async () => {
    const { reports, earlier } = await afterAPass('install-fails');
    // install.sh refuses an unknown INSTALL_SCOPE before it does anything.
    const run = await acceptance(['--tags', '@ordinary'], { reports, env: { ACCEPTANCE_SKIP_INSTALL: '', INSTALL_SCOPE: 'nosuch' } });
    assert.equal(run.code, 1, run.out);
    assert.deepEqual(acceptanceLines(run), [
      `acceptance: no verdict: the install failed (exit code 1), so nothing was tested: INSTALL_SCOPE=nosuch: use all (default) or acceptance (${join(latest(reports), 'verdict.md')})`,
    ]);
    assertNoVerdictEverywhere(reports, earlier, /^the install failed \(exit code 1\), so nothing was tested: INSTALL_SCOPE=nosuch/);
    assert.match(readFileSync(join(latest(reports), 'install.log'), 'utf8'), /\[install\] ERROR: INSTALL_SCOPE=nosuch/);
  });

  test('1. a stack that does not start, after a green run: every name in reports/ says "no verdict"', async () => {
    const { reports, earlier } = await afterAPass('start-fails-junit');
    const run = await acceptance([...PROJECT, '--parallel', '2'], { reports, env: { STACK: 'dockr' } });
    assert.equal(run.code, 1, run.out);
    assertNoVerdictEverywhere(reports, earlier, /^the stack did not start, so no scenario ran[\s\S]*STACK=dockr is not a stack provider/);
  });

  test('4. cucumber-js in features/ or step-definitions/: one line that says where to run it, exit 1', () => {
    for (const folder of ['features', 'step-definitions']) {
      const run = spawnSync(join(ROOT, 'node_modules/.bin/cucumber-js'), ['--tags', '@monitoring'], {
        cwd: join(ROOT, folder),
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.equal(
        `${run.stdout}${run.stderr}`,
        `acceptance: no verdict: cucumber-js was started in ${join(ROOT, folder)}, where the suite has no configuration: ` +
          `run it from the project's root, ${ROOT} (cd ..), or use npm run acceptance.\n`,
      );
    }
  });

  describe('6. a stack that does not start says why once, without stack traces', { concurrency: true }, () => {
    test('STACK=dockr, npm run acceptance with 3 workers', async () => {
      const run = await acceptance([...PROJECT, '--parallel', '3'], { reports: reportsFor('dockr'), env: { STACK: 'dockr' } });
      assert.equal(run.code, 1, run.out);
      assert.equal(run.out.match(/STACK=dockr is not a stack provider/g)?.length, 1, run.out);
      assert.deepEqual(stackFrames(run), []);
      assert.doesNotMatch(run.out, /Unexpected error on worker|BeforeAll hook errored/);
      assert.equal(acceptanceLines(run).length, 1, run.out);
      assert.ok(run.out.split('\n').length <= 20, `${run.out.split('\n').length} lines:\n${run.out}`);
    });

    test('STACK=external with nothing set, plain cucumber-js', async () => {
      const run = await cucumber(PROJECT, { reports: reportsFor('external-unset'), env: { ...NO_EXTERNAL, STACK: 'external' } });
      assert.equal(run.code, 1, run.out);
      assert.equal(run.out.match(/STACK=external needs these environment variables/g)?.length, 1, run.out);
      assert.deepEqual(stackFrames(run), []);
      assert.ok(run.out.split('\n').length <= 10, `${run.out.split('\n').length} lines:\n${run.out}`);
    });

    test('GMP_DEBUG=1 keeps the stack traces', async () => {
      const run = await cucumber(PROJECT, { reports: reportsFor('dockr-debug'), env: { STACK: 'dockr', GMP_DEBUG: '1' } });
      assert.equal(run.code, 1, run.out);
      assert.ok(stackFrames(run).length > 0, run.out);
      assert.match(run.out, /at chooseProvider/);
    });
  });

  describe('7. plain cucumber-js ends with the same acceptance: line as npm run acceptance', { concurrency: true }, () => {
    test('a stack that does not start', async () => {
      const [plain, npm] = await Promise.all([
        cucumber(PROJECT, { reports: reportsFor('start-plain'), env: { STACK: 'dockr' } }),
        acceptance(PROJECT, { reports: reportsFor('start-npm'), env: { STACK: 'dockr' } }),
      ]);
      for (const run of [plain, npm]) {
        assert.equal(run.code, 1, run.out);
        assert.deepEqual(acceptanceLines(run), ['acceptance: no verdict: the stack did not start, so no scenario ran (a BeforeAll hook failed):'], run.out);
      }
    });

    test('Ctrl-C', async () => {
      const { reports, earlier } = await afterAPass('ctrl-c-line');
      const run = await cucumber(['--tags', '@slow'], {
        reports,
        started: (child) => void scenarioStarted(reports, earlier).then(() => child.kill('SIGINT')),
      });
      assert.ok(run.signal === 'SIGINT' || run.code === 130, `cucumber-js ended with ${run.code ?? run.signal}:\n${run.out}`);
      assert.deepEqual(acceptanceLines(run), ['acceptance: no verdict: the run was interrupted (SIGINT) before it finished.'], run.out);
    });
  });

  test('8. a feature path that does not exist: "no verdict", in one line, plain and with npm run acceptance', async () => {
    const line = `acceptance: no verdict: features/nosuch.feature: no such feature file or folder (paths are relative to ${ROOT}), so nothing was tested.`;
    const { reports, earlier } = await afterAPass('nosuch');
    const plain = await cucumber(['--config', 'cucumber.yaml', 'features/nosuch.feature'], { reports });
    assert.equal(plain.code, 1, plain.out);
    assert.equal(plain.out, `${line}\n`);
    assert.equal(readJson(join(reports, 'verdict.json')).state, 'no-verdict');
    assert.notEqual(latest(reports), earlier);
    const npm = await acceptance(['--config', 'cucumber.yaml', 'features/nosuch.feature:3'], { reports });
    assert.equal(npm.code, 1, npm.out);
    assert.deepEqual(acceptanceLines(npm), [line]);
    assert.deepEqual(stackFrames(npm), []);
  });

  test('9. another user, in a clone whose venv has a Python only root reaches: the hint names that', { skip: process.platform !== 'linux' }, async () => {
    const root = process.getuid?.() === 0;
    const clone = mkdtempSync(join(tmpdir(), 'gmp-venv-'));
    scratch.push(clone);
    chmodSync(clone, 0o755);
    // The set-up user's Python, in a folder closed to everyone else (to the other user).
    const privateDir = join(clone, 'root-only');
    mkdirSync(privateDir);
    copyFileSync(process.execPath, join(privateDir, 'python3'));
    const venv = join(clone, '.stack/sut/pypi-0.7.0/venv');
    mkdirSync(join(venv, 'bin'), { recursive: true });
    symlinkSync(join(privateDir, 'python3'), join(venv, 'bin/python'));
    chmodSync(privateDir, root ? 0o700 : 0o000);
    const other = root ? { uid: 65534, gid: 65534 } : {};
    try {
      // What scripts/install.sh runs for the venv, as the other user (who may not reach this
      // checkout: a copy of the script beside the clone).
      copyFileSync(join(ROOT, 'scripts/venv-check.sh'), join(clone, 'venv-check.sh'));
      const script = `. ./venv-check.sh; python3 -m venv "$1" 2>/dev/null || echo "$(venv_failed "$1")"`;
      const said = await new Promise<string>((done) => {
        const child = spawn('bash', ['-c', script, 'venv', venv], { ...other, cwd: clone, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', () => done(out));
      });
      assert.doesNotMatch(said, /python3-venv/);
      assert.match(said, new RegExp(`^the venv's Python, ${venv}/bin/python -> ${privateDir}/python3, cannot be run by \\S+: ${privateDir} is not open to \\S+ \\(`));
      assert.match(said, /The venv was made by \S+, with a Python only that user reaches\. Run as that user, or give \S+ a checkout of its own/);
    } finally {
      chmodSync(privateDir, 0o755);
    }
    // scripts/install.sh gives that hint for both of its venvs.
    const install = readFileSync(join(ROOT, 'scripts/install.sh'), 'utf8');
    assert.equal(install.match(/python3 -m venv "\$(VENV|TOOLS)" \|\| die "\$\(venv_failed "\$\1"\)"/g)?.length, 2);
    assert.doesNotMatch(install, /die "python3 -m venv failed/);
  });
});
