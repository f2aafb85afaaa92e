import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { MessageList } from '../support/capabilities/message-list.js';
import { messageFromTable } from '../support/mail/mail-expectations.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// The message list, narrowed and in detail.

const list = (world: GenroWorld) => world.use(MessageList.forScenario);

Given('another tenant has delivered a message of its own', async function (this: GenroWorld) {
  await list(this).otherTenantWithAMessage();
});

When('the application submits the message {string}, noting the time:', async function (this: GenroWorld, alias: string, table: DataTable) {
  list(this).noteSubmission();
  await this.submit([{ alias, message: messageFromTable(this, alias, table.raw() as [string, string][]) }]);
});

Then(/^the tenant's (message list|list of messages not yet sent) shows exactly "([^"]*)"(?: and "([^"]*)")?$/, async function (this: GenroWorld, which: string, first: string, second?: string) {
  await list(this).assertListShowsExactly(second ? [first, second] : [first], which !== 'message list');
});

Then('the message list shows {string} with its ids, tenant name, account, priority, sending time and content', async function (this: GenroWorld, alias: string) {
  await list(this).assertShowsEverything(alias);
});
