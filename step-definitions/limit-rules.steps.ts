import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { LimitWindows } from '../support/capabilities/limit-windows.js';
import { SendingLimits } from '../support/capabilities/sending-limits.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// Limits by the minute, the hour and the day, and a tenant's own limit (features/limit-rules.feature).

const windows = (world: GenroWorld) => world.use(LimitWindows.forScenario);

Given('a tenant whose SMTP accounts on the mail sink may send:', async function (this: GenroWorld, table: DataTable) {
  await windows(this).accountsWithLimits(table.hashes() as { account: string; limit: string }[]);
});

When('the application submits 2 messages at once through each account', async function (this: GenroWorld) {
  await windows(this).submitTwoThroughEach();
});

Then('through each account 1 message is delivered at once', async function (this: GenroWorld) {
  await windows(this).assertOneDeliveredThroughEach();
});

Then('the other message of each account is held back, with the sending limit as the reason, until:', async function (this: GenroWorld, table: DataTable) {
  await windows(this).assertHeldUntil(table.hashes() as { account: string; due: string }[]);
});

/** The accounts are "alpha" and "beta", on the mail sink. */
Given('a tenant that may send {int} message(s) an hour in all, through two SMTP accounts without limits of their own', async function (this: GenroWorld, count: number) {
  await windows(this).tenantWithOwnLimit(count, 'hour', ['alpha', 'beta']);
});

When('the application submits one message through each account at once', async function (this: GenroWorld) {
  await windows(this).submitOneThroughEach();
});

Then('the other is held back, with the sending limit as the reason, and is not delivered', async function (this: GenroWorld) {
  const limits = this.use(SendingLimits.forScenario);
  await limits.assertOthersHeldBack(1);
  await this.assertNotDelivered(limits.others[0]!);
});
