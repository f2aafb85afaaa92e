// npm run bench [-- --cold-starts N]
//
// Measures, on the local stack, and writes reports/bench.json, reports/bench.md and
// reports/bench-scenarios.svg:
//   - the stack's cold start, per service (N starts, median);
//   - the full default run, serial and with --parallel 2, and their ratio;
//   - each scenario's duration (median and p95 by feature, from the serial run);
//   - the share of scenario time spent waiting on the SUT (eventually/consistently).
// Targets are reported, never asserted.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TIMINGS_DIR } from '../../support/base/waiting-log.js';
import { durationChartSvg, percentile, readWaiting, scenarioTimings, statsByFeature, waitingShare } from './analysis.js';
import { loadConfig, readInstalledStack, REPORTS_DIR, ROOT } from '../../support/base/config.js';
import { loadLedger } from '../../support/base/ledger.js';
import { readEnvelopes, runProblems, scenarioResults } from '../ledger/results.js';
import { judge, summaryLines } from '../ledger/verdict.js';
import { LocalProvider } from '../../support/stack/local.js';

const TARGETS = { coldStartMs: 5000, deliveryMedianMs: 500, serialRunMs: 60_000, parallelRatio: 0.65 };

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function coldStarts(count: number) {
  const installed = readInstalledStack();
  if (!installed) throw new Error('the local stack is not installed: run `npm run setup`');
  const runs: Record<string, number>[] = [];
  for (let i = 0; i < count; i += 1) {
    const provider = new LocalProvider(installed, loadConfig(), `bench-cold-${i}`, () => {});
    const t0 = Date.now();
    await provider.start();
    const total = Date.now() - t0;
    runs.push({ ...Object.fromEntries(provider.timings.map((t) => [t.service, t.ms])), total });
    await provider.stop();
    console.log(`[bench] cold start ${i + 1}/${count}: ${total} ms (${provider.timings.map((t) => `${t.service} ${t.ms}`).join(', ')})`);
  }
  const services = Object.keys(runs[0]!);
  return Object.fromEntries(services.map((s) => [s, percentile(runs.map((r) => r[s]!), 50)]));
}

function cucumberRun(label: string, extra: string[]): Promise<{ wallMs: number; ndjson: string; code: number | null }> {
  const ndjson = join(REPORTS_DIR, 'bench', `${label}.ndjson`);
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(join(ROOT, 'node_modules/.bin/cucumber-js'), [...extra, '--format', `message:${ndjson}`], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('exit', (code) => resolve({ wallMs: Date.now() - t0, ndjson, code }));
  });
}

function verdictLine(ndjson: string): string {
  const envelopes = readEnvelopes(ndjson);
  const v = judge(scenarioResults(envelopes), loadLedger(join(ROOT, 'known-defects.yaml')), runProblems(envelopes));
  return summaryLines(v.counts).join('; ');
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mark = (ok: boolean) => (ok ? 'met' : 'missed');

async function main() {
  rmSync(join(REPORTS_DIR, 'bench'), { recursive: true, force: true });
  mkdirSync(join(REPORTS_DIR, 'bench'), { recursive: true });

  const cold = await coldStarts(arg('--cold-starts', 3));

  console.log('[bench] full default run, serial ...');
  rmSync(TIMINGS_DIR, { recursive: true, force: true });
  const serial = await cucumberRun('serial', []);
  const waits = readWaiting();
  console.log(`[bench] serial: ${fmt(serial.wallMs)}; ${verdictLine(serial.ndjson)}`);
  console.log('[bench] full default run, --parallel 2 ...');
  const parallel = await cucumberRun('parallel', ['--parallel', '2']);
  console.log(`[bench] parallel: ${fmt(parallel.wallMs)}; ${verdictLine(parallel.ndjson)}`);

  const timings = scenarioTimings(readEnvelopes(serial.ndjson), waits);
  const byFeature = statsByFeature(timings);
  const waiting = waitingShare(timings);
  const delivery = byFeature.find((f) => f.feature === 'features/delivery.feature');
  const ratio = parallel.wallMs / serial.wallMs;

  const result = {
    sut: readInstalledStack()?.sut.description,
    measuredAt: new Date().toISOString(),
    coldStartMedianMs: cold,
    serialRunMs: serial.wallMs,
    parallelRunMs: parallel.wallMs,
    parallelToSerial: ratio,
    scenarios: timings.length,
    byFeature,
    waitingOnSut: waiting,
    targets: TARGETS,
  };
  writeFileSync(join(REPORTS_DIR, 'bench.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(REPORTS_DIR, 'bench-scenarios.svg'), durationChartSvg(timings, `Scenario durations by feature (serial run, ${timings.length} scenarios)`));

  const md = [
    '# Benchmark',
    '',
    `SUT: ${result.sut}. Measured ${result.measuredAt} on ${process.platform}, ${(await import('node:os')).cpus().length} CPUs.`,
    '',
    '| measure | value | target | |',
    '| --- | --- | --- | --- |',
    `| stack cold start (median of ${arg('--cold-starts', 3)}) | ${fmt(cold.total!)} | ≤ ${fmt(TARGETS.coldStartMs)} | ${mark(cold.total! <= TARGETS.coldStartMs)} |`,
    ...Object.entries(cold).filter(([s]) => s !== 'total').map(([s, ms]) => `| - ${s} | ${fmt(ms)} | | |`),
    `| delivery scenario median | ${delivery ? fmt(delivery.medianMs) : 'n/a'} | ≤ ${fmt(TARGETS.deliveryMedianMs)} | ${delivery ? mark(delivery.medianMs <= TARGETS.deliveryMedianMs) : ''} |`,
    `| full default run, serial | ${fmt(serial.wallMs)} | ≤ ${fmt(TARGETS.serialRunMs)} | ${mark(serial.wallMs <= TARGETS.serialRunMs)} |`,
    `| full default run, --parallel 2 | ${fmt(parallel.wallMs)} | | |`,
    `| parallel / serial | ${ratio.toFixed(2)} | ≤ ${TARGETS.parallelRatio} | ${mark(ratio <= TARGETS.parallelRatio)} |`,
    `| share of scenario time waiting on the SUT | ${waiting ? `${(waiting.share * 100).toFixed(0)} % (${waiting.scenarios} scenarios)` : 'n/a'} | | |`,
    '',
    '## Scenario durations by feature (serial run)',
    '',
    '| feature | scenarios | median | p95 | total |',
    '| --- | --- | --- | --- | --- |',
    ...byFeature.map((f) => `| ${f.feature} | ${f.scenarios} | ${fmt(f.medianMs)} | ${fmt(f.p95Ms)} | ${fmt(f.totalMs)} |`),
    '',
    '![Scenario durations by feature](bench-scenarios.svg)',
    '',
  ].join('\n');
  writeFileSync(join(REPORTS_DIR, 'bench.md'), md);
  console.log(md);
}

main().catch((error) => {
  console.error(`[bench] ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
