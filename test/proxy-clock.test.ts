/**
 * The proxy's clock against the test process's (support/base/proxy-clock.ts): reading a
 * clock that runs faster from the Date headers of its answers; and what libfaketime's
 * speed factor does to a Python asyncio program (the proxy's timers): time.time,
 * time.monotonic and asyncio.sleep all run faster by the factor.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { calibrateFromDateHeaders, DATE_HEADER_STALENESS_MS, REAL_CLOCK, type DatedAnswer } from '../support/base/proxy-clock.js';
import { clockSetting, writeClockOffset } from '../support/capabilities/controlled-clock.js';

test('the real clock is the test process\'s', () => {
  assert.equal(REAL_CLOCK.at(1234), 1234);
  assert.equal(REAL_CLOCK.realMsFor(60), 60_000);
  assert.equal(REAL_CLOCK.realAt(99), 99);
});

test('the clock file says the offset, and the speed when the clock runs faster', () => {
  assert.equal(clockSetting(0), '+0');
  assert.equal(clockSetting(86_400), '+86400');
  assert.equal(clockSetting(0, 10), '+0 x10');
  assert.throws(() => clockSetting(0, 0.5), /whole number, at least 1/);
});

/** Answers of a web server whose clock is real × speed − c, renewing its Date header every `renewMs` of its clock. */
function answersOf(speed: number, c: number, renewMs: number, from: number, count: number, everyMs: number): DatedAnswer[] {
  const proxy = (real: number) => real * speed - c;
  const firstRenewal = proxy(from) - 777; // an arbitrary phase
  return Array.from({ length: count }, (_, i) => {
    const sentMs = from + i * everyMs;
    const receivedMs = sentMs + 3;
    const at = proxy(sentMs + 1);
    const renewedAt = firstRenewal + Math.floor((at - firstRenewal) / renewMs) * renewMs;
    return { sentMs, receivedMs, date: new Date(Math.floor(renewedAt / 1000) * 1000).toUTCString() };
  });
}

test('a clock 10 times faster is read from its Date headers, within the uncertainty it states', () => {
  const speed = 10;
  const c = 9 * 1_796_000_000_000 + 123_456; // the proxy's process began near 1 796 000 000 s
  const truth = (real: number) => real * speed - c;
  for (const renewMs of [1000, 1300, DATE_HEADER_STALENESS_MS]) {
    const answers = answersOf(speed, c, renewMs, 1_796_000_100_000, 60, 20);
    const clock = calibrateFromDateHeaders(speed, answers);
    const real = 1_796_000_105_000;
    assert.ok(Math.abs(clock.at(real) - truth(real)) <= clock.uncertaintyMs, `renewed every ${renewMs} ms: ${clock.at(real) - truth(real)} ms off, stated ±${clock.uncertaintyMs}`);
    assert.ok(clock.at(real) - clock.uncertaintyMs <= truth(real), 'the lower end never lies ahead of the proxy\'s clock');
    assert.equal(Math.round(clock.realAt(clock.at(real))), real);
    assert.equal(clock.realMsFor(60), 6000);
  }
  const ahead = calibrateFromDateHeaders(speed, answersOf(speed, c, 1000, 1_796_000_100_000, 60, 20), 3600);
  assert.ok(Math.abs(ahead.at(1_796_000_105_000) - truth(1_796_000_105_000) - 3_600_000) <= ahead.uncertaintyMs, 'an offset moves the clock ahead');
});

test('answers without a readable Date header, or none, cannot be read', () => {
  assert.throws(() => calibrateFromDateHeaders(10, []), /no answer/);
  assert.throws(() => calibrateFromDateHeaders(10, [{ sentMs: 1, receivedMs: 2, date: 'soon' }]), /no readable Date header/);
  assert.throws(() => calibrateFromDateHeaders(0.5, [{ sentMs: 1, receivedMs: 2, date: new Date().toUTCString() }]), /at least as fast/);
});

const LIBFAKETIME = ['x86_64-linux-gnu', 'aarch64-linux-gnu'].map((a) => `/usr/lib/${a}/faketime/libfaketime.so.1`).find((p) => existsSync(p));

test('under libfaketime "+0 x10", a Python asyncio program\'s time.time, time.monotonic and asyncio.sleep run 10 times faster', () => {
  assert.ok(LIBFAKETIME, 'libfaketime is not installed: run `npm run setup` (the Debian package libfaketime)');
  const dir = mkdtempSync(join(tmpdir(), 'fast-clock-'));
  try {
    const file = join(dir, 'clock');
    writeClockOffset(file, 0, 10);
    const script = [
      'import asyncio, json, time',
      'async def main():',
      '    t0, m0 = time.time(), time.monotonic()',
      '    await asyncio.sleep(5)',
      '    print(json.dumps({"time": time.time() - t0, "monotonic": time.monotonic() - m0}))',
      'asyncio.run(main())',
    ].join('\n');
    const began = Date.now();
    const run = spawnSync('python3', ['-c', script], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, LD_PRELOAD: LIBFAKETIME, FAKETIME_TIMESTAMP_FILE: file, FAKETIME_NO_CACHE: '1' } });
    const realS = (Date.now() - began) / 1000;
    assert.equal(run.status, 0, run.stderr);
    const seen = JSON.parse(run.stdout) as { time: number; monotonic: number };
    assert.ok(seen.time >= 5 && seen.monotonic >= 5, `the program's clocks advanced by at least its 5 s sleep: ${run.stdout.trim()}`);
    assert.ok(realS < 2.5, `asyncio.sleep(5) took ${realS} s of real time (about 0.5 s expected at 10×)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
