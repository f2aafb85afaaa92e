import { Given, Then } from '@cucumber/cucumber';
import { SyncLoop } from '../support/capabilities/sync-loop.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// How soon the proxy calls the application again.

const loop = (world: GenroWorld) => world.use(SyncLoop.forScenario);

Given('the application answers the next delivery report that it has {int} messages waiting to submit', function (this: GenroWorld, count: number) {
  loop(this).answerNextReportWithWaiting(count);
});

Then('the proxy calls the application again at once, without waiting for its next sync', async function (this: GenroWorld) {
  const [alias] = [...this.messages.keys()];
  if (!alias) throw new Error('no message was submitted in this scenario');
  await loop(this).assertCalledAgainAtOnce(alias);
});
