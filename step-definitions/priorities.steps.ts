import { Then, When, type DataTable } from '@cucumber/cucumber';
import { Priorities } from '../support/capabilities/priorities.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// Priorities as the application writes them: labels or numbers, and a batch's default.

const priorities = (world: GenroWorld) => world.use(Priorities.forScenario);

When('the application submits these messages with priority labels:', async function (this: GenroWorld, table: DataTable) {
  await priorities(this).submit(table.hashes() as { message: string; priority: string }[]);
});

When('the application submits these messages in one batch with the default priority {string}:', async function (this: GenroWorld, batchDefault: string, table: DataTable) {
  await priorities(this).submit(table.hashes() as { message: string; priority: string }[], batchDefault);
});

Then('the mails arrive in this order: {string}, {string}, {string}', async function (this: GenroWorld, first: string, second: string, third: string) {
  await priorities(this).assertArrivalOrder([first, second, third]);
});
