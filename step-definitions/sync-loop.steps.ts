import { Given, Then } from '@cucumber/cucumber';
import { SyncLoop } from '../support/capabilities/sync-loop.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// How soon the proxy calls the application again.

const loop = (world: GenroWorld) => world.use(SyncLoop.forScenario);

Given('the application answers the next delivery report that {int} messages wait to be sent, and the next call that {int} waits', function (this: GenroWorld, count: number, then: number) {
  loop(this).answerNextReportWithWaiting(count, then);
});

Then('the proxy calls the application again at once, twice, with nothing new to report, and then waits for its next sync', async function (this: GenroWorld) {
  const [alias] = [...this.messages.keys()];
  if (!alias) throw new Error('no message was submitted in this scenario');
  await loop(this).assertCalledAgainAtOnce(alias);
});
