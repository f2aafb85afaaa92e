import { Then } from '@cucumber/cucumber';
import { AuditLog } from '../support/capabilities/audit-log.js';
import { ProxyMetrics } from '../support/capabilities/metrics.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// The proxy's metrics, status, log and audit log, as monitoring and the operator read them.

Then(/^the metrics count for the account (\d+) sent and (\d+) (failed|held back by its sending limit)$/, async function (this: GenroWorld, sent: string, other: string, what: string) {
  const counted = what === 'failed' ? 'failed' : 'limited';
  await this.use(ProxyMetrics.forScenario).assertAccountCounts({ sent: Number(sent), [counted]: Number(other) });
});

Then('the metrics count for the account {int} deferred, {int} sent and {int} failed', async function (this: GenroWorld, deferred: number, sent: number, failed: number) {
  await this.use(ProxyMetrics.forScenario).assertAccountCounts({ deferred, sent, failed });
});

Then('the metrics show {int} message(s) waiting', async function (this: GenroWorld, count: number) {
  await this.use(ProxyMetrics.forScenario).assertPending(count);
});

Then('the status, asked for with the token, says sending is active, {int} messages wait, and how long the proxy has run', async function (this: GenroWorld, waiting: number) {
  await this.use(ProxyMetrics.forScenario).assertStatus(waiting);
});

Then('the proxy\'s log says, with the time, that {string} was sent as INFO, and gives the error {int} of {string} as ERROR', function (this: GenroWorld, sent: string, code: number, refused: string) {
  this.use(ProxyMetrics.forScenario).assertLogged(sent, refused, code);
});

Then('the tenant\'s audit log lists the submission of {string}, then the suspension of {string}', async function (this: GenroWorld, alias: string, batch: string) {
  await this.use(AuditLog.forScenario).assertSubmissionThenSuspension(alias, batch);
});

Then('its export lists the same commands', async function (this: GenroWorld) {
  await this.use(AuditLog.forScenario).assertExportMatches();
});
