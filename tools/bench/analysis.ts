/**
 * Analysis for the benchmark (tools/bench/bench.ts): scenario durations from Cucumber's
 * message report, percentiles by feature, the share of time spent waiting on the SUT,
 * and an SVG chart (the waits come from support/base/waiting-log.ts). Pure functions; unit-tested in test/bench.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TIMINGS_DIR } from '../../support/base/waiting-log.js';

/** Every recorded wait, by testCaseStartedId. */
export function readWaiting(dir = TIMINGS_DIR): Map<string, number> {
  const waits = new Map<string, number>();
  if (!existsSync(dir)) return waits;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean)) {
      const { testCaseStartedId, waitedMs } = JSON.parse(line) as { testCaseStartedId: string; waitedMs: number };
      waits.set(testCaseStartedId, waitedMs);
    }
  }
  return waits;
}

export interface ScenarioTiming {
  feature: string;
  name: string;
  ms: number;
  /** Time spent in eventually()/consistently(), when the run attached it. */
  waitedMs: number | undefined;
}

interface Timestamp {
  seconds: number;
  nanos: number;
}

const toMs = (t: Timestamp) => t.seconds * 1000 + t.nanos / 1e6;

/** The final attempt of every scenario that ran, with its duration and (if known) its wait. */
export function scenarioTimings(envelopes: readonly unknown[], waits: Map<string, number> = new Map()): ScenarioTiming[] {
  const pickles = new Map<string, { uri: string; name: string }>();
  const testCases = new Map<string, string>();
  const started = new Map<string, { testCaseId: string; at: number }>();
  const waited = waits;
  const finals = new Map<string, ScenarioTiming>();
  for (const e of envelopes as Record<string, any>[]) {
    if (e.pickle) pickles.set(e.pickle.id, { uri: e.pickle.uri, name: e.pickle.name });
    else if (e.testCase) testCases.set(e.testCase.id, e.testCase.pickleId);
    else if (e.testCaseStarted) started.set(e.testCaseStarted.id, { testCaseId: e.testCaseStarted.testCaseId, at: toMs(e.testCaseStarted.timestamp) });
    else if (e.testCaseFinished && !e.testCaseFinished.willBeRetried) {
      const start = started.get(e.testCaseFinished.testCaseStartedId);
      const pickle = start && pickles.get(testCases.get(start.testCaseId) ?? '');
      if (!start || !pickle) continue;
      finals.set(start.testCaseId, {
        feature: pickle.uri,
        name: pickle.name,
        ms: toMs(e.testCaseFinished.timestamp) - start.at,
        waitedMs: waited.get(e.testCaseFinished.testCaseStartedId),
      });
    }
  }
  return [...finals.values()];
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface FeatureStats {
  feature: string;
  scenarios: number;
  medianMs: number;
  p95Ms: number;
  totalMs: number;
}

export function statsByFeature(timings: ScenarioTiming[]): FeatureStats[] {
  const groups = new Map<string, number[]>();
  for (const t of timings) groups.set(t.feature, [...(groups.get(t.feature) ?? []), t.ms]);
  return [...groups.entries()]
    .map(([feature, ms]) => ({
      feature,
      scenarios: ms.length,
      medianMs: percentile(ms, 50),
      p95Ms: percentile(ms, 95),
      totalMs: ms.reduce((a, b) => a + b, 0),
    }))
    .sort((a, b) => a.feature.localeCompare(b.feature));
}

/** Share of scenario time spent waiting on the SUT, over the scenarios that report it. */
export function waitingShare(timings: ScenarioTiming[]): { share: number; scenarios: number } | undefined {
  const known = timings.filter((t) => t.waitedMs !== undefined);
  const total = known.reduce((a, t) => a + t.ms, 0);
  if (known.length === 0 || total === 0) return undefined;
  return { share: known.reduce((a, t) => a + t.waitedMs!, 0) / total, scenarios: known.length };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A dot plot of scenario durations, one row per feature, with median and p95 marks. */
export function durationChartSvg(timings: ScenarioTiming[], title: string): string {
  const stats = statsByFeature(timings);
  const max = Math.max(1, ...timings.map((t) => t.ms));
  const left = 220;
  const width = 900;
  const plot = width - left - 30;
  const rowHeight = 36;
  const top = 50;
  const height = top + stats.length * rowHeight + 50;
  const x = (ms: number) => left + (ms / max) * plot;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
  stats.forEach((s, i) => {
    const y = top + i * rowHeight + rowHeight / 2;
    parts.push(`<text x="${left - 10}" y="${y + 4}" text-anchor="end">${escapeXml(s.feature.replace(/^features\//, ''))} (${s.scenarios})</text>`);
    parts.push(`<line x1="${left}" x2="${left + plot}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    for (const t of timings.filter((t) => t.feature === s.feature)) {
      parts.push(`<circle cx="${x(t.ms).toFixed(1)}" cy="${y}" r="4" fill="#4477aa" fill-opacity="0.6"><title>${escapeXml(t.name)}: ${Math.round(t.ms)} ms</title></circle>`);
    }
    parts.push(`<line x1="${x(s.medianMs)}" x2="${x(s.medianMs)}" y1="${y - 12}" y2="${y + 12}" stroke="#228833" stroke-width="3"><title>median ${Math.round(s.medianMs)} ms</title></line>`);
    parts.push(`<line x1="${x(s.p95Ms)}" x2="${x(s.p95Ms)}" y1="${y - 12}" y2="${y + 12}" stroke="#ee6677" stroke-width="3"><title>p95 ${Math.round(s.p95Ms)} ms</title></line>`);
  });
  const axisY = top + stats.length * rowHeight + 10;
  parts.push(`<line x1="${left}" x2="${left + plot}" y1="${axisY}" y2="${axisY}" stroke="black"/>`);
  for (let k = 0; k <= 4; k += 1) {
    const ms = (max * k) / 4;
    parts.push(`<text x="${x(ms)}" y="${axisY + 16}" text-anchor="middle">${(ms / 1000).toFixed(1)} s</text>`);
  }
  parts.push(`<text x="${left}" y="${height - 8}">dots: scenarios; green: median; red: p95</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** One run of the default suite at a number of workers, as `npm run bench` measures it. */
export interface ScalingRow {
  /** The stack the run used: local (the default) or docker (Docker mode). */
  stack?: 'local' | 'docker';
  workers: number;
  wallMs: number;
  /** User plus system CPU time of the whole run: Cucumber, its workers and every service they started. */
  cpuMs: number;
  /** The highest memory in use on the machine during the run, above what was in use before it. */
  peakMemoryMb: number;
  /** Each worker's stack start, as its "[stack] … ready in N ms" line says. */
  stackStartMs: number[];
  /** The longest scenario of the run, and its name. */
  longestMs: number;
  longestName?: string;
  /**
   * The second of the minute at which the run started. Before the controlled clock the
   * per-minute sending limit's scenario lasted until the second minute boundary after it
   * submitted, so this second decided the run; on the proxy's fast clock its minute no
   * longer lines up with the wall clock's (docs/performance.md, "The controlled clock").
   */
  startSecond?: number;
  verdict: string;
}

/**
 * What limits a run, from its measures: CPU when the cores were mostly busy, memory when
 * it came close to the machine's, start-up when starting the workers' stacks took a large
 * share of the time, the floor when the run is within 30 % of its longest scenario, and
 * otherwise scheduling (workers waiting for the proxy, or idle while others finish).
 */
export function limitingFactor(row: ScalingRow, cores: number, memoryMb: number): string {
  const cpuShare = row.cpuMs / (row.wallMs * cores);
  const startMs = row.stackStartMs.length ? Math.max(...row.stackStartMs) : 0;
  if (cpuShare > 0.8) return `CPU (${Math.round(cpuShare * 100)} % of ${cores} cores busy)`;
  if (row.peakMemoryMb > 0.8 * memoryMb) return `memory (${row.peakMemoryMb} of ${memoryMb} MB)`;
  if (startMs > 0.25 * row.wallMs) return `start-up (${(startMs / 1000).toFixed(1)} s of ${(row.wallMs / 1000).toFixed(0)} s)`;
  if (row.wallMs <= 1.3 * row.longestMs) return `the longest scenario (${(row.longestMs / 1000).toFixed(0)} s): the floor`;
  return `scheduling (cores ${Math.round(cpuShare * 100)} % busy: the workers wait on the proxy)`;
}

/** A bar chart of wall time by number of workers, with the longest scenario as a line. */
export function scalingChartSvg(rows: ScalingRow[], title: string): string {
  const width = 520;
  const barH = 26;
  const left = 90;
  const top = 34;
  const max = Math.max(...rows.map((r) => r.wallMs), 1);
  const x = (ms: number) => left + (ms / max) * (width - left - 70);
  const floor = Math.max(...rows.map((r) => r.longestMs));
  const height = top + rows.length * (barH + 8) + 30;
  const bars = rows.map((r, i) => {
    const y = top + i * (barH + 8);
    return `<text x="${left - 8}" y="${y + 17}" text-anchor="end" font-size="12">${r.workers} worker${r.workers === 1 ? '' : 's'}</text>` +
      `<rect x="${left}" y="${y}" width="${x(r.wallMs) - left}" height="${barH}" fill="#4a7fb5"/>` +
      `<text x="${x(r.wallMs) + 6}" y="${y + 17}" font-size="12">${(r.wallMs / 1000).toFixed(0)} s</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<text x="8" y="20" font-size="14">${title}</text>`,
    ...bars,
    `<line x1="${x(floor)}" y1="${top - 4}" x2="${x(floor)}" y2="${height - 22}" stroke="#c0392b" stroke-dasharray="4 3"/>`,
    `<text x="${x(floor)}" y="${height - 8}" font-size="11" fill="#c0392b" text-anchor="middle">longest scenario ${(floor / 1000).toFixed(0)} s</text>`,
    '</svg>',
    '',
  ].join('\n');
}
