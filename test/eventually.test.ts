import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consistently, eventually, EventuallyTimeoutError, GiveUp, LONGEST_PAUSE_MS, pollPause, timeSpentWaiting } from '../support/base/eventually.js';

test('eventually returns the first value the check accepts', async () => {
  let n = 0;
  const value = await eventually({ description: 'n to reach 3', timeoutMs: 2000, intervalMs: 5 }, () => ++n, (v) => v >= 3);
  assert.equal(value, 3);
});

test('eventually accepts an assertion-style check (returns nothing, throws when not yet)', async () => {
  let n = 0;
  const value = await eventually({ description: 'n to reach 2', timeoutMs: 2000, intervalMs: 5 }, () => ++n, (v) => {
    assert.ok(v >= 2, 'not yet');
  });
  assert.equal(value, 2);
});

test('on timeout it names what it waited for and what it saw last', async () => {
  const started = Date.now();
  await assert.rejects(
    eventually({ description: 'the mail "x" to arrive', timeoutMs: 150, intervalMs: 20 }, () => ({ count: 0 }), (v) => v.count > 0),
    (error: unknown) => {
      assert.ok(error instanceof EventuallyTimeoutError);
      assert.match(error.message, /Timed out after 150 ms \(\d+ attempts\) waiting for the mail "x" to arrive/);
      assert.match(error.message, /last seen: \{ count: 0 \}/);
      assert.ok(error.attempts >= 2);
      return true;
    },
  );
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 150 && elapsed < 1000, `took ${elapsed} ms`);
});

test('on timeout it reports the last error of the probe and the last check message', async () => {
  await assert.rejects(
    eventually({ description: 'the service', timeoutMs: 60, intervalMs: 10 }, () => {
      throw new Error('connection refused');
    }),
    /last seen: the probe failed: Error: connection refused/,
  );
  await assert.rejects(
    eventually({ description: 'status sent', timeoutMs: 60, intervalMs: 10 }, () => 'pending', (v) => {
      assert.equal(v, 'sent');
    }),
    /last check said: AssertionError/,
  );
});

test('a probe that throws GiveUp stops the wait at once', async () => {
  const started = Date.now();
  await assert.rejects(
    eventually({ description: 'the proxy to be ready', timeoutMs: 5000, intervalMs: 10 }, () => {
      throw new GiveUp('proxy exited with code 1');
    }),
    /Gave up waiting for the proxy to be ready: proxy exited with code 1/,
  );
  assert.ok(Date.now() - started < 1000);
});

test('consistently holds for the whole period and fails at the first change', async () => {
  const started = Date.now();
  await consistently({ description: 'zero mails', timeoutMs: 120, intervalMs: 10 }, () => 0, (v) => v === 0);
  assert.ok(Date.now() - started >= 120);
  let n = 0;
  await assert.rejects(
    consistently({ description: 'zero mails', timeoutMs: 2000, intervalMs: 5 }, () => (++n > 3 ? 1 : 0), (v) => v === 0),
    /Expected zero mails for 2000 ms, but it changed.\nseen: 1/,
  );
});

test('time spent in eventually and consistently is accounted as waiting on the SUT', async () => {
  const before = timeSpentWaiting();
  let n = 0;
  await eventually({ description: 'n to reach 3', timeoutMs: 2000, intervalMs: 30 }, () => ++n, (v) => v >= 3);
  await consistently({ description: 'zero', timeoutMs: 100, intervalMs: 20 }, () => 0, (v) => v === 0);
  const waited = timeSpentWaiting() - before;
  assert.ok(waited >= 150 && waited < 1000, `waited ${waited} ms`);
});

test('on timeout it also shows what did happen nearby (the context), after what it saw last', async () => {
  await assert.rejects(
    eventually(
      { description: 'the mail "x" to arrive', timeoutMs: 60, intervalMs: 20, context: () => 'what did happen:\n  mails in the sink for this scenario (1): "X (changed)" to alice' },
      () => [],
      (v) => v.length > 0,
    ),
    (error: Error) => {
      assert.match(error.message, /last seen: \[\]\nwhat did happen:\n  mails in the sink for this scenario \(1\): "X \(changed\)" to alice$/);
      return true;
    },
  );
});

test('a context that fails says so, and a give-up carries no context', async () => {
  await assert.rejects(
    eventually({ description: 'y', timeoutMs: 30, intervalMs: 10, context: () => Promise.reject(new Error('sink down')) }, () => 0, (v) => v > 0),
    /last seen: 0\n\(what happened nearby could not be read: Error: sink down\)$/,
  );
  await assert.rejects(
    eventually({ description: 'z', timeoutMs: 1000, context: () => 'never shown' }, () => {
      throw new GiveUp('it ended in error');
    }),
    (error: Error) => error.message === 'Gave up waiting for z: it ended in error',
  );
});

test('eventually looks less often as a wait grows long: a tenth of the time waited, at most 0.5 s', () => {
  assert.equal(pollPause(100, 0), 100);
  assert.equal(pollPause(100, 900), 100);
  assert.equal(pollPause(100, 2000), 200);
  assert.equal(pollPause(100, 4000), 400);
  assert.equal(pollPause(100, 9000), LONGEST_PAUSE_MS);
  assert.equal(pollPause(1000, 9000), 1000, 'a pace asked for is kept');
});

test('a long wait asks a few dozen times, not a hundred, and still sees the outcome soon after it happens', async () => {
  let asked = 0;
  const began = Date.now();
  const readyAt = began + 3000;
  await eventually({ description: 'the outcome', timeoutMs: 10_000, intervalMs: 50 }, () => (asked += 1, Date.now()), (now) => now >= readyAt);
  const late = Date.now() - readyAt;
  assert.ok(asked < 40, `asked ${asked} times in 3 s`);
  assert.ok(late <= 0.1 * 3000 + 50, `seen ${late} ms after it happened`);
});
