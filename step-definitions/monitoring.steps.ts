import { Then } from '@cucumber/cucumber';
import { ProxyMetrics } from '../support/capabilities/metrics.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const metrics = (world: GenroWorld) => world.use(ProxyMetrics.forScenario);

Then('the metrics count for the account {int} sent and {int} failed', async function (this: GenroWorld, sent: number, failed: number) {
  await metrics(this).assertAccountCounts({ sent, failed });
});

Then('the metrics count for the account {int} sent and {int} held back by its sending limit', async function (this: GenroWorld, sent: number, limited: number) {
  await metrics(this).assertAccountCounts({ sent, limited });
});
