import { Given, Then, When } from '@cucumber/cucumber';
import { SharedDatabase } from '../support/capabilities/shared-database.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// Two proxies on one database (features/several-proxies.feature).

const shared = (world: GenroWorld) => world.use(SharedDatabase.forScenario);

Given('two proxies on one PostgreSQL database, each sending only when it is asked to run', { timeout: 120_000 }, async function (this: GenroWorld) {
  await shared(this).startTwoProxies();
});

When(/^the (first|second) proxy is asked to run now$/, async function (this: GenroWorld, which: string) {
  await shared(this).proxyNamed(which).instance.runNow();
});

When('both proxies are asked to run at the same moment', async function (this: GenroWorld) {
  await shared(this).bothRun();
});

Then('every message of the batch is delivered exactly once, and is sent once in the message list of either proxy', async function (this: GenroWorld) {
  await shared(this).assertBatchSentExactlyOnce([...this.messages.keys()]);
});
