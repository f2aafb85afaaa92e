/**
 * The lifecycle of the stack and of each scenario.
 *  - BeforeAll: this process's stack starts (one per worker with --parallel). If it
 *    does not, the run ends with "no verdict" and the reason, said once by the run-report
 *    plugin (support/reporting/run-report.mjs), not once per worker with Cucumber's stack
 *    traces (GMP_DEBUG=1 shows them).
 *  - After: on failure, evidence is attached; then the scenario's teardown runs.
 *  - AfterAll: the stack stops, every process it started with it.
 */
import { After, AfterAll, Before, BeforeAll, Status, setDefaultTimeout } from '@cucumber/cucumber';
import { HOOK_TIMEOUT_MS, STACK_START_TIMEOUT_MS, STEP_TIMEOUT_MS } from '../base/timeouts.js';
import { recordWaiting } from '../base/waiting-log.js';
import { timeSpentWaiting } from '../base/eventually.js';
import { attachEvidence } from '../evidence/evidence.js';
import { openStack, type StackSession } from '../stack/session.js';
import { alreadySaid } from '../reporting/said-once.mjs';
import { setStackSession, type GenroWorld } from './world.js';

setDefaultTimeout(STEP_TIMEOUT_MS);

let session: StackSession | undefined;

// Every service start has its own shorter deadline (SUITE_SERVICE_START_TIMEOUT_MS).
BeforeAll({ timeout: STACK_START_TIMEOUT_MS }, async function () {
  const worker = process.env.CUCUMBER_WORKER_ID;
  try {
    session = await openStack(worker === undefined ? 'serial' : `worker-${worker}`);
  } catch (error) {
    // The run-report plugin says it once, in the run's last line (GMP_RUN_FOLDER: it is there).
    throw process.env.GMP_RUN_FOLDER ? alreadySaid(error) : error;
  }
  setStackSession(session);
});

AfterAll({ timeout: HOOK_TIMEOUT_MS }, async function () {
  setStackSession(undefined);
  await session?.close();
});

Before(function (this: GenroWorld) {
  this.waitedAtStart = timeSpentWaiting();
});

After({ timeout: HOOK_TIMEOUT_MS }, async function (this: GenroWorld, { result, testCaseStartedId }) {
  recordWaiting(testCaseStartedId, timeSpentWaiting() - this.waitedAtStart);
  try {
    if (result && result.status !== Status.PASSED && session) await attachEvidence(this);
  } finally {
    await this.teardown.run();
  }
});
