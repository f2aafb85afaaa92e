import { Given, Then, When } from '@cucumber/cucumber';
import { Batches } from '../support/capabilities/batches.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// Batches held back and let go one by one, and what the proxy answers about them.

const batches = (world: GenroWorld) => world.use(Batches.forScenario);

Given('the batches {string} and {string} are suspended', async function (this: GenroWorld, first: string, second: string) {
  await batches(this).suspendBatches([first, second]);
});

Given('the application submits {int} messages in the batch {string}', async function (this: GenroWorld, count: number, batch: string) {
  await batches(this).submitInBatch(count, batch);
});

Then('the answer lists {string} as the only batch still suspended', function (this: GenroWorld, batch: string) {
  batches(this).assertSuspendedInAnswer([batch]);
});

Then('the answer lists {string} as suspended, with {int} messages held back', function (this: GenroWorld, batch: string, waiting: number) {
  batches(this).assertAnswer(batch, [batch], waiting);
});

Then('the answer about {string} lists no batch as suspended, with {int} messages held back', function (this: GenroWorld, batch: string, waiting: number) {
  batches(this).assertAnswer(batch, [], waiting);
});

When('the application tries to activate the batch {string} on its own', async function (this: GenroWorld, batch: string) {
  await batches(this).tryActivateBatch(batch);
});

Then('the proxy refuses to activate it', function (this: GenroWorld) {
  batches(this).assertActivationRefused();
});
