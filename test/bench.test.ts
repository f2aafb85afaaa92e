import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { durationChartSvg, percentile, scenarioTimings, statsByFeature, waitingShare } from '../tools/bench/analysis.js';
import { ROOT } from '../support/base/config.js';
import { readEnvelopes } from '../tools/ledger/results.js';

test('percentile is nearest-rank', () => {
  const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  assert.equal(percentile(values, 50), 5);
  assert.equal(percentile(values, 95), 10);
  assert.equal(percentile([42], 95), 42);
  assert.throws(() => percentile([], 50), /empty/);
});

const ts = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
const envelopes = [
  { pickle: { id: 'p1', uri: 'features/a.feature', name: 'A1' } },
  { pickle: { id: 'p2', uri: 'features/a.feature', name: 'A2' } },
  { pickle: { id: 'p3', uri: 'features/b.feature', name: 'B1' } },
  { testCase: { id: 'c1', pickleId: 'p1' } },
  { testCase: { id: 'c2', pickleId: 'p2' } },
  { testCase: { id: 'c3', pickleId: 'p3' } },
  { testCaseStarted: { id: 's1', testCaseId: 'c1', timestamp: ts(1000) } },
  { testCaseFinished: { testCaseStartedId: 's1', timestamp: ts(1400), willBeRetried: false } },
  // c2: a retried first attempt, then the final one
  { testCaseStarted: { id: 's2a', testCaseId: 'c2', timestamp: ts(2000) } },
  { testCaseFinished: { testCaseStartedId: 's2a', timestamp: ts(2900), willBeRetried: true } },
  { testCaseStarted: { id: 's2b', testCaseId: 'c2', timestamp: ts(3000) } },
  { testCaseFinished: { testCaseStartedId: 's2b', timestamp: ts(3200), willBeRetried: false } },
  { testCaseStarted: { id: 's3', testCaseId: 'c3', timestamp: ts(4000) } },
  { testCaseFinished: { testCaseStartedId: 's3', timestamp: ts(4600), willBeRetried: false } },
];

test('scenario timings: the final attempt, with the time spent waiting when attached', () => {
  const timings = scenarioTimings(envelopes, new Map([['s1', 300], ['s2a', 50], ['s2b', 100]]));
  assert.deepEqual(timings, [
    { feature: 'features/a.feature', name: 'A1', ms: 400, waitedMs: 300 },
    { feature: 'features/a.feature', name: 'A2', ms: 200, waitedMs: 100 },
    { feature: 'features/b.feature', name: 'B1', ms: 600, waitedMs: undefined },
  ]);
  assert.deepEqual(statsByFeature(timings).map((s) => [s.feature, s.scenarios, s.medianMs, s.p95Ms, s.totalMs]), [
    ['features/a.feature', 2, 200, 400, 600],
    ['features/b.feature', 1, 600, 600, 600],
  ]);
  assert.deepEqual(waitingShare(timings), { share: 400 / 600, scenarios: 2 });
});

test('the chart is an SVG with a row per feature and a dot per scenario', () => {
  const svg = durationChartSvg(scenarioTimings(envelopes), 'Durations <test>');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /Durations &lt;test&gt;/);
  assert.equal(svg.match(/<circle /g)?.length, 3);
  assert.match(svg, />a\.feature \(2\)</);
  assert.match(svg, />b\.feature \(1\)</);
});

test('timings read from a real Cucumber report', () => {
  const timings = scenarioTimings(readEnvelopes(join(ROOT, 'test/fixtures/verdict/run-with-retry.ndjson')));
  assert.ok(timings.length > 0);
  assert.ok(timings.every((t) => t.ms >= 0 && t.feature.endsWith('.feature')));
});
