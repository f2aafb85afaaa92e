import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { SENDING_LIMIT_STEP_TIMEOUT_MS } from '../support/base/timeouts.js';
import { OwnProxy } from '../support/capabilities/own-proxy.js';
import { Priorities } from '../support/capabilities/priorities.js';
import { SendingLimits } from '../support/capabilities/sending-limits.js';
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

When('the application submits these messages, with a priority only where one is given:', async function (this: GenroWorld, table: DataTable) {
  await priorities(this).submit(table.hashes() as { message: string; priority: string }[]);
});

When('the application submits the messages {string}, {string} and {string}, one after the other', async function (this: GenroWorld, first: string, second: string, third: string) {
  await priorities(this).submitOneAfterAnother([first, second, third]);
});

Then('the message {string} is listed with the priority {int}', async function (this: GenroWorld, alias: string, priority: number) {
  await priorities(this).assertListedPriority(alias, priority);
});

Then('the messages {string} and {string} are held back, with the sending limit as the reason', async function (this: GenroWorld, first: string, second: string) {
  for (const alias of [first, second]) await this.use(SendingLimits.forScenario).assertHeldBack(alias);
});

Then('the mail {string} is delivered as soon as the limit allows, before {string}', { timeout: SENDING_LIMIT_STEP_TIMEOUT_MS }, async function (this: GenroWorld, urgent: string, other: string) {
  await priorities(this).assertGoesFirstWhenTheLimitAllows(urgent, other);
});

Given('a proxy of its own whose default priority is low, holding messages until it is asked to run', async function (this: GenroWorld) {
  await this.use(OwnProxy.forScenario).start({ label: 'default-low', testMode: true, defaultPriority: 3 });
});

Then('the messages {string}, {string} and {string} are listed with the priorities {int}, {int} and {int}', async function (this: GenroWorld, a: string, b: string, c: string, pa: number, pb: number, pc: number) {
  await priorities(this).assertListedPriorities([[a, pa], [b, pb], [c, pc]]);
});
