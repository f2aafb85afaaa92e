// Lets `node --test` load the suite's TypeScript through ts-node's ESM loader
// (transpile-only, see tsconfig.json), the same way cucumber.yaml does.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

process.setSourceMapsEnabled(true);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register('ts-node/esm', pathToFileURL('./'));

// Under `node --test`, the Cucumber runs a test starts write their run folders into a
// scratch folder, so that our own tests never move reports/latest (support/reporting/run-folder.mjs).
if (process.env.NODE_TEST_CONTEXT && !process.env.ACCEPTANCE_REPORTS_DIR) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const scratch = mkdtempSync(join(tmpdir(), 'gmp-test-reports-'));
  process.env.ACCEPTANCE_REPORTS_DIR = scratch;
  process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
}
