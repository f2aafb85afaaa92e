// npm run soak [-- --runs N] [--serial]
//
// Runs the full default suite N times as `npm run acceptance -- --order random` (the
// default number of workers, cucumber.yaml), and with --serial also N times serially;
// judges each run against the ledger and reports every failure with its scenario.
// Writes reports/soak.json and reports/soak.md. Exit 0 only with no failure.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORTS_DIR, ROOT } from '../support/base/config.js';

interface RunResult {
  run: number;
  mode: 'serial' | 'default-random';
  exitCode: number | null;
  seconds: number;
  lines: string[];
  problems: { scenario: string; verdict: string; reason: string }[];
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive whole number`);
  return value;
}

function acceptance(extra: string[]): Promise<{ code: number | null; seconds: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn('bash', [join(ROOT, 'scripts/acceptance.sh'), ...extra, '--format', 'summary:/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, ACCEPTANCE_SKIP_INSTALL: '1' },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    child.on('exit', (code) => resolve({ code, seconds: (Date.now() - t0) / 1000 }));
  });
}

/** Every failed, unexpectedly passed or changed scenario of a verdict.json, and run problems. */
function problemsOf(verdict: Record<string, any>): RunResult['problems'] {
  const bad = [...(verdict.failed ?? []), ...(verdict.unexpectedPasses ?? []), ...(verdict.changedFailures ?? [])] as Record<string, any>[];
  const problems = bad.map((i) => ({ scenario: `${i.scenario} (${i.uri}:${i.line})`, verdict: i.classification, reason: String(i.reason || i.message || '').slice(0, 300) }));
  for (const p of (verdict.problems ?? []) as string[]) problems.push({ scenario: '(run)', verdict: 'problem', reason: p });
  return problems;
}

async function main() {
  const runs = arg('--runs', 5);
  const modes: RunResult['mode'][] = process.argv.includes('--serial') ? ['default-random', 'serial'] : ['default-random'];
  const results: RunResult[] = [];
  mkdirSync(REPORTS_DIR, { recursive: true });
  for (let run = 1; run <= runs; run += 1) {
    for (const mode of modes) {
      const { code, seconds } = await acceptance(mode === 'serial' ? ['--parallel', '0'] : ['--order', 'random']);
      let verdict: Record<string, any> = {};
      try {
        verdict = JSON.parse(readFileSync(join(REPORTS_DIR, 'verdict.json'), 'utf8'));
      } catch {
        verdict = { problems: ['no reports/verdict.json was written'] };
      }
      const result: RunResult = { run, mode, exitCode: code, seconds, lines: verdict.summary ?? [], problems: problemsOf(verdict) };
      if (code !== 0 && result.problems.length === 0) result.problems.push({ scenario: '(run)', verdict: 'problem', reason: `acceptance exited ${code}` });
      results.push(result);
      console.log(`[soak] run ${run}/${runs} ${mode}: exit ${code} in ${seconds.toFixed(1)} s${result.problems.map((p) => `\n  - ${p.verdict}: ${p.scenario}: ${p.reason}`).join('')}`);
      writeReports(results, runs, modes.length);
    }
  }
  const failed = writeReports(results, runs, modes.length);
  console.log(`soak: ${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

/** Writes reports/soak.json and soak.md so far (an interrupted soak keeps what it ran); returns the failed runs. */
function writeReports(results: RunResult[], runs: number, perIteration: number): number {
  const failed = results.filter((r) => r.exitCode !== 0);
  const md = [
    '# Soak',
    '',
    `${runs} iterations asked, each ${perIteration === 1 ? 'a default run with --order random' : 'a default run with --order random and a serial run'}: ${results.length} of ${runs * perIteration} runs done, ${failed.length} failed. Measured ${new Date().toISOString()}.`,
    '',
    '| run | mode | exit | seconds | failures |',
    '| --- | --- | --- | --- | --- |',
    ...results.map((r) => `| ${r.run} | ${r.mode} | ${r.exitCode} | ${r.seconds.toFixed(1)} | ${r.problems.map((p) => `${p.verdict}: ${p.scenario}`).join('; ').replace(/\|/g, '\\|') || '-'} |`),
    '',
  ].join('\n');
  writeFileSync(join(REPORTS_DIR, 'soak.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(REPORTS_DIR, 'soak.md'), md);
  return failed.length;
}

main().catch((error) => {
  console.error(`[soak] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
});
