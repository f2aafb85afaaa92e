import { Then, When } from '@cucumber/cucumber';
import { LoadRun } from '../support/capabilities/load.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const load = (world: GenroWorld) => world.use(LoadRun.forScenario);

When('the application submits the load in batches', { timeout: 600_000 }, async function (this: GenroWorld) {
  await load(this).submit();
});

Then('every load message reaches the mail sink before the deadline', { timeout: 3_600_000 }, async function (this: GenroWorld) {
  await load(this).expectAllDelivered();
});

Then('no load message is lost or delivered twice', { timeout: 120_000 }, async function (this: GenroWorld) {
  await load(this).expectNoneLostOrDuplicated();
});
