import { Then } from '@cucumber/cucumber';
import { ProxyMetrics } from '../support/capabilities/metrics.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// The proxy's metrics, as monitoring reads them.

Then(/^the metrics count for the account (\d+) sent and (\d+) (failed|held back by its sending limit)$/, async function (this: GenroWorld, sent: string, other: string, what: string) {
  const counted = what === 'failed' ? 'failed' : 'limited';
  await this.use(ProxyMetrics.forScenario).assertAccountCounts({ sent: Number(sent), [counted]: Number(other) });
});
