/**
 * The lifecycle of the stack and of each scenario.
 *  - BeforeAll: this process's stack starts (one per worker with --parallel).
 *  - After: on failure, evidence is attached; then the scenario's teardown runs.
 *  - AfterAll: the stack stops, every process it started with it.
 */
import { After, AfterAll, Before, BeforeAll, Status, setDefaultTimeout } from '@cucumber/cucumber';
import { TIMING_MEDIA_TYPE } from './bench.js';
import { timeSpentWaiting } from './eventually.js';
import { attachEvidence } from './evidence.js';
import { openStack, type StackSession } from './stack/session.js';
import { setStackSession, type GenroWorld } from './world.js';

setDefaultTimeout(60_000);

let session: StackSession | undefined;

BeforeAll({ timeout: 180_000 }, async function () {
  const worker = process.env.CUCUMBER_WORKER_ID;
  session = await openStack(worker === undefined ? 'serial' : `worker-${worker}`);
  setStackSession(session);
});

AfterAll({ timeout: 60_000 }, async function () {
  setStackSession(undefined);
  await session?.close();
});

Before(function (this: GenroWorld) {
  this.waitedAtStart = timeSpentWaiting();
});

After({ timeout: 60_000 }, async function (this: GenroWorld, { result }) {
  this.attach(JSON.stringify({ waitedMs: timeSpentWaiting() - this.waitedAtStart }), TIMING_MEDIA_TYPE);
  try {
    if (result && result.status !== Status.PASSED && session) await attachEvidence(this);
  } finally {
    await this.teardown.run();
  }
});
