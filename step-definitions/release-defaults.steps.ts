import { Given, Then } from '@cucumber/cucumber';
import { ReleaseDefaults } from '../support/capabilities/release-defaults.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// A proxy with the release's default retry settings, or with the global report address of
// the docs' environment variables (support/capabilities/release-defaults.ts).

const defaults = (world: GenroWorld) => world.use(ReleaseDefaults.forScenario);
/** A step that waits for a retry of the release's defaults: its first delay (a minute) and the rest of the step. */
const retryStep = { timeout: 120_000 };

Given('a proxy with the retry settings the release ships with', async function (this: GenroWorld) {
  await defaults(this).startWithReleaseRetry();
});

Then(/^"([^"]*)" is deferred at its first attempt, its retry due (\d+) minutes? later$/, async function (this: GenroWorld, alias: string, minutes: string) {
  await defaults(this).assertDeferredWithDelay(alias, 1, Number(minutes) * 60);
});

Then(/^at its retry "([^"]*)" is deferred again, its next retry due (\d+) minutes? later$/, retryStep, async function (this: GenroWorld, alias: string, minutes: string) {
  await defaults(this).assertDeferredWithDelay(alias, 2, Number(minutes) * 60);
});

Given('a proxy whose global delivery report address is the application\'s, with a token of the operator\'s', async function (this: GenroWorld) {
  await defaults(this).startWithGlobalReportAddress();
});

Then('the report for {string} came to the global address with the operator\'s token', function (this: GenroWorld, alias: string) {
  defaults(this).assertReportedThroughGlobalAddress(alias);
});
