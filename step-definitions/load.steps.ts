import { Then, When } from '@cucumber/cucumber';
import { LOAD_TIMEOUTS_MS } from '../support/base/timeouts.js';
import { LoadRun } from '../support/capabilities/load.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const load = (world: GenroWorld) => world.use(LoadRun.forScenario);

When('the application submits the load in batches', { timeout: LOAD_TIMEOUTS_MS.submit }, async function (this: GenroWorld) {
  await load(this).submit();
});

Then('every load message reaches the mail sink before the deadline', { timeout: LOAD_TIMEOUTS_MS.deliver }, async function (this: GenroWorld) {
  await load(this).expectAllDelivered();
});

Then('no load message is lost or delivered twice', { timeout: LOAD_TIMEOUTS_MS.check }, async function (this: GenroWorld) {
  await load(this).expectNoneLostOrDuplicated();
});

Then('every load message is sent in the message list', { timeout: LOAD_TIMEOUTS_MS.check }, async function (this: GenroWorld) {
  await load(this).expectAllListedSent();
});
