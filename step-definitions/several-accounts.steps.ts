import { Given, Then } from '@cucumber/cucumber';
import { SeveralAccounts } from '../support/capabilities/several-accounts.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// A tenant with several SMTP accounts, each on a mail server of its own (features/delivery.feature).

Given('the tenant also has the SMTP accounts {string} and {string}, each on a mail server of its own', async function (this: GenroWorld, first: string, second: string) {
  await this.use(SeveralAccounts.forScenario).tenantWithAccounts([first, second]);
});

Then('the mail {string} is delivered once, through the account {string} only', async function (this: GenroWorld, alias: string, account: string) {
  await this.use(SeveralAccounts.forScenario).assertDeliveredOnlyThrough(alias, account);
});
