/**
 * The lifecycle of the stack and of each scenario.
 *  - BeforeAll: this process's stack starts (one per worker with --parallel).
 *  - After: on failure, evidence is attached; then the scenario's teardown runs.
 *  - AfterAll: the stack stops, every process it started with it.
 */
import { After, AfterAll, BeforeAll, Status, setDefaultTimeout } from '@cucumber/cucumber';
import { attachEvidence } from './evidence.js';
import { openStack, type StackSession } from './stack/session.js';
import { setStackSession, type GenroWorld } from './world.js';

setDefaultTimeout(60_000);

let session: StackSession | undefined;

// Docker mode's first run builds two images and pulls the others before the stack is up;
// every service start has its own shorter deadline (SUITE_SERVICE_START_TIMEOUT_MS).
BeforeAll({ timeout: 600_000 }, async function () {
  const worker = process.env.CUCUMBER_WORKER_ID;
  session = await openStack(worker === undefined ? 'serial' : `worker-${worker}`);
  setStackSession(session);
});

AfterAll({ timeout: 60_000 }, async function () {
  setStackSession(undefined);
  await session?.close();
});

After({ timeout: 60_000 }, async function (this: GenroWorld, { result }) {
  try {
    if (result && result.status !== Status.PASSED && session) await attachEvidence(this);
  } finally {
    await this.teardown.run();
  }
});
