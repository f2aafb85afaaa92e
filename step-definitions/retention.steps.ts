import { Then, When } from '@cucumber/cucumber';
import { Persistence } from '../support/capabilities/persistence.js';
import { Retention } from '../support/capabilities/retention.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// The proxy's retention period for messages whose outcome the application has received.

const retention = (world: GenroWorld) => world.use(Retention.forScenario);

When('the application cleans up without giving an age', async function (this: GenroWorld) {
  await this.use(Persistence.forScenario).cleanup();
});

When('the retention period has passed since the application acknowledged the report', async function (this: GenroWorld) {
  await retention(this).waitUntilPassed();
});

Then('the proxy keeps {string} in the message list', async function (this: GenroWorld, alias: string) {
  await retention(this).assertKept(alias);
});

Then('the proxy removes {string} from the message list by itself', async function (this: GenroWorld, alias: string) {
  await retention(this).assertPurged(alias);
});
