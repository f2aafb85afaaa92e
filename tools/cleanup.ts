/**
 * `npm run acceptance -- --cleanup`: stops what killed runs of the local stack left
 * (services, listeners, /tmp/gmp-stack-* folders) and says so in one line. A stack whose
 * run is still going on is left alone (support/stack/run-record.ts). Exit 1 when
 * something could not be stopped or removed.
 */
import { tmpdir } from 'node:os';
import { sweepDeadStacks, sweepLine } from '../support/stack/run-record.js';

const tmp = tmpdir();
const result = await sweepDeadStacks(tmp);
process.stdout.write(`cleanup (local stacks under ${tmp}): ${sweepLine(result, true)}\n`);
process.exitCode = result.problems.length > 0 ? 1 : 0;
