// The folder of one run and the names that show the latest one.
//
//   reports/runs/<run id>/     everything one run writes (<run id>: start time and pid)
//   reports/latest             -> runs/<run id> of the run that started last
//   reports/index.html, verdict.md, verdict.json, known-defects.md, cucumber-report.html,
//   cucumber-junit.xml, cucumber-messages.ndjson
//                              -> latest/<same name>
//
// A run points `latest` at its folder as soon as it starts, with a "no verdict yet" verdict
// in it, so an earlier run's verdict never stands for a run that has not finished. Two runs
// at once each write and judge their own folder.
//
// Plain JavaScript: the run-report plugin loads it before Cucumber registers its TypeScript
// loader, and scripts/acceptance.sh runs it as a command (at the bottom) when Cucumber
// stopped before the plugin could give a verdict.
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The names in reports/ that lead to the latest run's files. */
export const LATEST_FILES = ['index.html', 'verdict.md', 'verdict.json', 'known-defects.md', 'cucumber-report.html', 'cucumber-junit.xml', 'cucumber-messages.ndjson'];

/** How many run folders are kept (the oldest go first; the latest never). */
export const KEEP_RUNS = 10;

/** Where runs write: ACCEPTANCE_REPORTS_DIR, else reports/ under the working directory. */
export function reportsRoot(env = process.env, cwd = process.cwd()) {
  return resolve(cwd, env.ACCEPTANCE_REPORTS_DIR || 'reports');
}

/** A run id that sorts by start time and differs between two runs started in the same second. */
export function newRunId(now = new Date(), pid = process.pid) {
  const p = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}-${pid}`;
}

export class ReportsNotWritable extends Error {
  constructor(dir, cause) {
    super(
      `cannot write this run's reports in ${dir}: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'A run that cannot keep its results gets no verdict: make reports/ writable, or set ACCEPTANCE_REPORTS_DIR to a writable folder.',
      { cause },
    );
    this.name = 'ReportsNotWritable';
  }
}

function errorCode(error) {
  return error && typeof error === 'object' && 'code' in error ? error.code : undefined;
}

/**
 * Creates the run's folder, or takes the one scripts/acceptance.sh created for this run id
 * (it holds Cucumber's error output, and no run.json yet). Throws ReportsNotWritable when
 * the folder cannot be created or written.
 */
export function openRunFolder(root, id) {
  const dir = join(root, 'runs', id);
  try {
    mkdirSync(join(root, 'runs'), { recursive: true });
    try {
      mkdirSync(dir);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      if (existsSync(join(dir, 'run.json'))) throw new Error(`${dir} belongs to another run (it has a run.json)`);
    }
    const probe = join(dir, '.writable');
    closeSync(openSync(probe, 'w'));
    rmSync(probe);
  } catch (error) {
    throw new ReportsNotWritable(dir, error);
  }
  return dir;
}

/** Replaces `path` with a symlink to `target` in one step (a symlink beside it, renamed over it). */
function replaceWithSymlink(path, target) {
  try {
    if (lstatSync(path).isSymbolicLink() && readlinkSync(path) === target) return;
  } catch {
    // Not there yet.
  }
  const beside = `${path}.${process.pid}.tmp`;
  rmSync(beside, { force: true });
  symlinkSync(target, beside);
  renameSync(beside, path);
}

/** Points reports/latest (and the names that lead through it) at this run's folder. */
export function pointLatest(root, dir) {
  replaceWithSymlink(join(root, 'latest'), relative(root, dir));
  for (const name of LATEST_FILES) replaceWithSymlink(join(root, name), join('latest', name));
}

/** The run folder reports/latest leads to, if any. */
export function latestRunFolder(root) {
  try {
    return resolve(root, readlinkSync(join(root, 'latest')));
  } catch {
    return undefined;
  }
}

/** Removes the oldest run folders beyond KEEP_RUNS, never the latest one nor `keep`. */
export function pruneRuns(root, keep) {
  const runs = join(root, 'runs');
  const latest = latestRunFolder(root);
  let names;
  try {
    names = readdirSync(runs).sort();
  } catch {
    return;
  }
  for (const name of names.slice(0, Math.max(0, names.length - KEEP_RUNS))) {
    const dir = join(runs, name);
    if (dir === latest || dir === keep) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The verdict.json of a run folder, or undefined. */
export function readVerdictJson(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'verdict.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * True once the run has concluded on its own: judged (tools/ledger/run-report.ts), or a dry
 * run, which tests nothing and says so.
 */
export function isConcluded(dir) {
  const state = readVerdictJson(dir)?.state;
  return state === 'judged' || state === 'dry-run';
}

function escapeHtml(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A JUnit file that says "no verdict": one test case in error, so CI never reads it as green. */
export function noVerdictJunit(run, reason, headline = 'No verdict') {
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="acceptance" tests="1" failures="0" errors="1">
  <testsuite name="acceptance run ${escapeHtml(run.id)}" tests="1" failures="0" errors="1" skipped="0">
    <testcase classname="acceptance" name="${escapeHtml(headline)}">
      <error message="${escapeHtml(`acceptance: ${headline.toLowerCase()}: ${reason.split('\n')[0]}`)}">${escapeHtml(reason)}</error>
    </testcase>
  </testsuite>
</testsuites>
`;
}

/**
 * Writes "no verdict" into the run's folder: verdict.md, verdict.json, index.html and the
 * JUnit file say why (a run judged later replaces them all). `state` is 'in-progress' while
 * the run runs, 'no-verdict' once it ended without one, 'dry-run' for a dry run (whose exit
 * code is Cucumber's). `said`: the `acceptance: no verdict` line has been printed already.
 */
export function writeNoVerdict(dir, { run, reason, state = 'no-verdict', exitCode = 1, said = false }) {
  const headline = state === 'in-progress' ? 'No verdict yet' : 'No verdict';
  const when = `Run ${run.id}, started ${run.started}${run.command ? `: ${run.command}` : ''}.`;
  const line = `acceptance: no verdict: ${reason}`;
  writeFileSync(join(dir, 'verdict.md'), `# ${headline}\n\n${when}\n\n${reason}\n`);
  writeFileSync(
    join(dir, 'verdict.json'),
    `${JSON.stringify({ state, exitCode, noVerdict: reason, summary: [line], problems: [reason], said, run }, null, 2)}\n`,
  );
  // A dry run's JUnit file is Cucumber's own (every scenario skipped); any other run
  // without a verdict gets one test case in error in place of whatever was there.
  if (state !== 'dry-run') writeFileSync(join(dir, 'cucumber-junit.xml'), noVerdictJunit(run, reason, headline));
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${headline}: acceptance run ${escapeHtml(run.id)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
.no-verdict{border-left:6px solid #888;padding:.5rem 1rem;background:#f4f4f4}</style></head>
<body>
<h1>${headline}</h1>
<p class="no-verdict" id="verdict">${escapeHtml(reason)}</p>
<p>${escapeHtml(when)}</p>
</body>
</html>
`,
  );
}

/** The last lines of Cucumber's error output that say something (stack frames left out). */
export function errorTail(text, lines = 12) {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^\s+at\s/.test(l) && !/^\[stack\]/.test(l) && !/^Cannot use 'progress-bar'/.test(l))
    .slice(-lines)
    .join('\n');
}

/** The line of an install's output that says what failed ([install] ERROR: …), else its last line. */
export function installFailure(log) {
  const lines = log.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const error = lines.filter((l) => /^\[install\] ERROR:/.test(l)).find((l) => !/^\[install\] ERROR: line \d+ failed/.test(l)) ?? lines.find((l) => /ERROR/.test(l));
  return (error ?? lines.at(-1) ?? 'it printed nothing').replace(/^\[install\] ERROR:\s*/, '');
}

/**
 * `node support/reporting/run-folder.mjs open <run dir> [command]`: for scripts/acceptance.sh
 * before anything else (the install comes next). Makes the run's folder with "no verdict
 * yet" in it and points reports/latest at it, so that whatever fails from now on, no
 * earlier verdict stands for this run. The run-report plugin takes the folder over.
 */
function open([dir, command = '']) {
  if (dir === undefined) {
    console.error('usage: run-folder.mjs open <run dir> [command]');
    return 2;
  }
  const run = { id: basename(dir), started: new Date().toISOString(), pid: process.ppid, command };
  writeNoVerdict(dir, {
    run,
    state: 'in-progress',
    reason: `this run (process ${run.pid}) has not finished: it is installing what is missing, or Cucumber is starting. If it is no longer running, it ended early.`,
  });
  const root = resolve(dir, '..', '..');
  pointLatest(root, dir);
  pruneRuns(root, dir);
  return 0;
}

/**
 * `node support/reporting/run-folder.mjs conclude <run dir> <exit code> [interrupted|install]`:
 * for scripts/acceptance.sh once Cucumber has exited (or the install failed: `install`).
 * When the run has no verdict of its own, writes "no verdict" with the reason (Cucumber's
 * error output, kept in the run folder as cucumber-stderr.log; the install's, install.log),
 * points reports/latest at it, prints the line (unless the run printed it already) and
 * exits 1. Exits 0 when the run was judged.
 */
function conclude([dir, code, how]) {
  if (dir === undefined || code === undefined) {
    console.error('usage: run-folder.mjs conclude <run dir> <cucumber exit code> [interrupted|install]');
    return 2;
  }
  if (isConcluded(dir)) return Number(code) === 0 ? 0 : 1;
  const before = readVerdictJson(dir);
  const root = resolve(dir, '..', '..');
  const read = (name) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return '';
    }
  };
  if (before?.state === 'no-verdict' && before.said === true) {
    // The run said why already, in its own `acceptance: no verdict` line; its folder keeps
    // what Cucumber printed besides.
    const tail = errorTail(read('cucumber-stderr.log'));
    if (tail !== '' && !before.noVerdict.includes(tail)) {
      writeNoVerdict(dir, { run: before.run, reason: `${before.noVerdict}\nCucumber said:\n${tail}`, said: true });
    }
    pointLatest(root, dir);
    return 1;
  }
  let reason;
  let said = '';
  if (how === 'interrupted' || (how === 'install' && (Number(code) === 130 || Number(code) === 143))) {
    reason = `the run was interrupted (Ctrl-C or a signal) before it finished${how === 'install' ? ', during the install' : ''}.`;
  } else if (how === 'install') {
    reason = `the install failed (exit code ${code}), so nothing was tested: ${installFailure(read('install.log'))}`;
    said = errorTail(read('install.log'), 8);
    if (said.split('\n').length <= 1) said = ''; // the one line is the reason already
  } else if (before?.state === 'no-verdict') reason = before.noVerdict;
  else if (before?.state === 'in-progress' && before.run?.pid !== undefined && before.run.pid !== process.ppid) {
    reason = `Cucumber ended (exit code ${code}) before the run finished: it crashed or was killed.`;
  } else if (Number(code) === 0) reason = 'Cucumber ran, but no verdict was written: does the profile load the run-report plugin (cucumber.yaml "plugin")?';
  else reason = `Cucumber stopped (exit code ${code}) before the run started: a bad option, profile or configuration.`;
  if (how !== 'install') said = errorTail(read('cucumber-stderr.log'));
  if (said !== '' && !reason.includes(said)) reason += `\n${how === 'install' ? 'The install said' : 'Cucumber said'}:\n${said}`;
  const run = before?.run ?? { id: basename(dir), started: new Date().toISOString(), command: '' };
  writeNoVerdict(dir, { run, reason, said: true });
  pointLatest(root, dir);
  const near = relative(process.cwd(), join(dir, 'verdict.md'));
  console.log(`\nacceptance: no verdict: ${reason.split('\n')[0]} (${near.startsWith('..') ? join(dir, 'verdict.md') : near})`);
  return 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'conclude') process.exitCode = conclude(args);
  else if (command === 'open') process.exitCode = open(args);
  else {
    console.error('usage: run-folder.mjs open <run dir> [command] | conclude <run dir> <cucumber exit code> [interrupted|install]');
    process.exitCode = 2;
  }
}
