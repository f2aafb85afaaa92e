// npm run bench [-- --workers 1,2,4,6,8] [--cold-starts N] [--stacks local,docker] [cucumber-js arguments]
//
// Measures, on the local stack (and, with --stacks local,docker, in Docker mode too: the
// shared engine of scripts/docker-engine.sh, STACK=docker), and writes reports/bench.json, reports/bench.md,
// reports/bench-scaling.svg and reports/bench-scenarios.svg:
//   - the stack's cold start, per service (N starts, median);
//   - the whole default run at each number of workers: wall time, CPU time of the whole
//     run, peak memory above what was in use before it, each worker's stack start, the
//     longest scenario, the verdict, and what limits it (tools/bench/analysis.ts);
//   - each scenario's duration (median and p95 by feature, from the one-worker run) and
//     the share of scenario time spent waiting on the SUT (eventually/consistently).
// Nothing is asserted: this is a measurement, not a test.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { TIMINGS_DIR } from '../../support/base/waiting-log.js';
import {
  durationChartSvg,
  limitingFactor,
  percentile,
  readWaiting,
  scalingChartSvg,
  scenarioTimings,
  statsByFeature,
  waitingShare,
  type ScalingRow,
  type ScenarioTiming,
} from './analysis.js';
import { loadConfig, readInstalledStack, REPORTS_DIR, ROOT } from '../../support/base/config.js';
import { loadLedger } from '../../support/base/ledger.js';
import { readEnvelopes, runProblems, scenarioResults } from '../ledger/results.js';
import { verdictOf, summaryLines } from '../ledger/verdict.js';
import { LocalProvider } from '../../support/stack/local.js';
import { loadEngineEnv } from '../../support/stack/docker-engine.js';


const OWN_OPTIONS = ['--workers', '--cold-starts', '--stacks'];

type Stack = 'local' | 'docker';

/** The environment of a run on `stack`: Docker mode asks the engine scripts/docker-engine.sh names, without Ryuk, as docs/docker.md says. */
function stackEnv(stack: Stack): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, STACK: stack };
  if (stack === 'docker') {
    loadEngineEnv(env, (line) => console.log(line));
    env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
    env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  }
  return env;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Arguments for cucumber-js: everything after the script but our own options. */
function cucumberArgs(): string[] {
  const out: string[] = [];
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 1) {
    if (OWN_OPTIONS.includes(argv[i]!)) i += 1;
    else out.push(argv[i]!);
  }
  return out;
}

/** Memory in use on the machine now, in MB (MemTotal less MemAvailable). */
function memoryInUseMb(): number {
  const info = readFileSync('/proc/meminfo', 'utf8');
  const kb = (key: string) => Number(info.match(new RegExp(`^${key}:\\s+(\\d+)`, 'm'))?.[1] ?? 0);
  return Math.round((kb('MemTotal') - kb('MemAvailable')) / 1024);
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

/**
 * One run of cucumber-js. bash's `times` reports the CPU time of every process the run
 * waited for, services included; memory is sampled twice a second.
 */
function cucumberRun(label: string, extra: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ wallMs: number; startSecond: number; cpuMs: number; peakMemoryMb: number; stackStartMs: number[]; ndjson: string; code: number | null }> {
  const ndjson = join(REPORTS_DIR, 'bench', `${label}.ndjson`);
  const quoted = [join(ROOT, 'node_modules/.bin/cucumber-js'), ...extra, '--format', `message:${ndjson}`].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return new Promise((resolve) => {
    const before = memoryInUseMb();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, memoryInUseMb())), 500);
    const t0 = Date.now();
    const child = spawn('bash', ['-c', `${quoted}; rc=$?; echo "@@times"; times; exit $rc`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearInterval(sampler);
      const wallMs = Date.now() - t0;
      const toMs = (m: string, sec: string) => (Number(m) * 60 + Number(sec)) * 1000;
      const times = [...(out.split('@@times')[1] ?? '').matchAll(/(\d+)m([\d.]+)s/g)];
      // `times`: the shell's own user and system time, then its children's.
      const cpuMs = times.slice(2, 4).reduce((sum, t) => sum + toMs(t[1]!, t[2]!), 0);
      const stackStartMs = [...out.matchAll(/(?:local|docker) stack ready in (\d+) ms/g)].map((m) => Number(m[1]));
      resolve({ wallMs, startSecond: new Date(t0).getSeconds(), cpuMs, peakMemoryMb: peak - before, stackStartMs, ndjson, code });
    });
  });
}

function verdictLine(ndjson: string): string {
  const envelopes = readEnvelopes(ndjson);
  const v = verdictOf(scenarioResults(envelopes), loadLedger(join(ROOT, 'known-defects.yaml')), runProblems(envelopes));
  return summaryLines(v.counts).join('; ');
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  rmSync(join(REPORTS_DIR, 'bench'), { recursive: true, force: true });
  mkdirSync(join(REPORTS_DIR, 'bench'), { recursive: true });
  const workerCounts = (option('--workers') ?? '1,2,4,6,8').split(',').map(Number);
  const stacks = (option('--stacks') ?? 'local').split(',').map((s) => s.trim());
  for (const s of stacks) if (s !== 'local' && s !== 'docker') throw new Error(`--stacks takes local and docker, not "${s}"`);
  const extra = cucumberArgs();
  const cores = cpus().length;
  const memoryMb = Math.round(totalmem() / 1024 / 1024);

  const cold = await coldStarts(Number(option('--cold-starts') ?? 3));

  const rows: ScalingRow[] = [];
  let timings: ReturnType<typeof scenarioTimings> = [];
  for (const stack of stacks as Stack[]) for (const workers of workerCounts) {
    console.log(`[bench] the default run with ${workers} worker(s), ${stack} stack ...`);
    rmSync(TIMINGS_DIR, { recursive: true, force: true });
    const run = await cucumberRun(`${stack}-workers-${workers}`, [...(workers > 1 ? ['--parallel', String(workers)] : ['--parallel', '0']), ...extra], stackEnv(stack));
    const runTimings = scenarioTimings(readEnvelopes(run.ndjson), readWaiting());
    if (timings.length === 0) timings = runTimings;
    const longest = runTimings.reduce<ScenarioTiming | undefined>((a, t) => (a === undefined || t.ms > a.ms ? t : a), undefined);
    const row: ScalingRow = {
      stack,
      workers,
      wallMs: run.wallMs,
      startSecond: run.startSecond,
      cpuMs: run.cpuMs,
      peakMemoryMb: run.peakMemoryMb,
      stackStartMs: run.stackStartMs,
      longestMs: longest?.ms ?? 0,
      longestName: longest ? `${longest.feature}: ${longest.name}` : undefined,
      verdict: verdictLine(run.ndjson),
    };
    rows.push(row);
    console.log(`[bench] ${workers} worker(s), ${stack}: ${fmt(row.wallMs)} wall, ${fmt(row.cpuMs)} CPU, ${row.peakMemoryMb} MB peak; ${row.verdict}`);
  }

  const byFeature = statsByFeature(timings);
  const waiting = waitingShare(timings);
  const result = {
    sut: readInstalledStack()?.sut.description,
    measuredAt: new Date().toISOString(),
    machine: { cores, memoryMb },
    arguments: extra,
    coldStartMedianMs: cold,
    scaling: rows.map((r) => ({ ...r, limitedBy: limitingFactor(r, cores, memoryMb), toLongest: r.wallMs / r.longestMs })),
    scenarios: timings.length,
    byFeature,
    waitingOnSut: waiting,
  };
  writeFileSync(join(REPORTS_DIR, 'bench.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(REPORTS_DIR, 'bench-scaling.svg'), scalingChartSvg(rows.filter((r) => r.stack === stacks[0]), `Whole default run by number of workers, ${stacks[0]} stack (${cores} cores)`));
  writeFileSync(join(REPORTS_DIR, 'bench-scenarios.svg'), durationChartSvg(timings, `Scenario durations by feature (${timings.length} scenarios)`));

  const md = [
    '# Benchmark',
    '',
    `SUT: ${result.sut}. Measured ${result.measuredAt} on ${process.platform}, ${cores} cores, ${memoryMb} MB.${extra.length ? ` Arguments: ${extra.join(' ')}.` : ''}`,
    '',
    `Stack cold start (median of ${option('--cold-starts') ?? 3}): ${fmt(cold.total!)} (${Object.entries(cold).filter(([s]) => s !== 'total').map(([s, ms]) => `${s} ${fmt(ms)}`).join(', ')}).`,
    '',
    '## The whole default run by number of workers',
    '',
    '| stack | workers | started at second | wall | CPU | peak memory | stack start per worker | longest scenario | wall / longest | verdict | limited by |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...result.scaling.map((r) =>
      `| ${r.stack ?? 'local'} | ${r.workers} | :${String(r.startSecond).padStart(2, '0')} | ${fmt(r.wallMs)} | ${fmt(r.cpuMs)} | ${r.peakMemoryMb} MB | ${r.stackStartMs.length ? r.stackStartMs.map((ms) => fmt(ms)).join(', ') : 'n/a'} | ${fmt(r.longestMs)}${r.longestName ? ` (${r.longestName})` : ''} | ${r.toLongest.toFixed(2)} | ${r.verdict} | ${r.limitedBy} |`),
    '',
    'The longest scenarios of a default run wait for a timer of the proxy of a minute or more (the per-minute sending limit, the PEC poll, the first default retry), on a proxy whose clock runs faster (docs/performance.md#the-controlled-clock). In Docker mode the CPU column (and so "limited by") counts only the test process and its children, not the containers, which run under the engine; peak memory is the whole machine\'s, containers included.',
    '',
    '![Whole default run by number of workers](bench-scaling.svg)',
    '',
    `## Scenario durations by feature (${rows[0]?.workers ?? 1}-worker run)`,
    '',
    `Share of scenario time spent waiting on the SUT: ${waiting ? `${(waiting.share * 100).toFixed(0)} % (${waiting.scenarios} scenarios)` : 'n/a'}.`,
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
