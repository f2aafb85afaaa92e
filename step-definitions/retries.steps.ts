import { Then } from '@cucumber/cucumber';
import { Retries } from '../support/capabilities/retries.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// How long the proxy waits before it tries a temporarily refused message again.

const retries = (world: GenroWorld) => world.use(Retries.forScenario);

Then('the message {string} is deferred, its retry due {int} seconds after the refused attempt', async function (this: GenroWorld, alias: string, seconds: number) {
  await retries(this).assertDueAfter(alias, seconds);
});

Then('until its retry is due, {string} stays deferred and the mail server sees no second attempt', async function (this: GenroWorld, alias: string) {
  await retries(this).assertUntriedUntilDue(alias);
});

Then('{string} is deferred at each refusal until the retries run out, then ends in error with the server\'s {string}', async function (this: GenroWorld, alias: string, code: string) {
  await retries(this).assertGivesUpAfterLastRetry(alias, code);
});

Then('the application receives a report that {string} failed, with an error that mentions {string}', async function (this: GenroWorld, alias: string, text: string) {
  await retries(this).assertToldOfFailure(alias, text);
});
