import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { SmtpConnections } from '../support/capabilities/smtp-connections.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// SMTP connections as the mail server sees them (features/smtp-connections.feature).

const connections = (world: GenroWorld) => world.use(SmtpConnections.forScenario);

Given(/^a tenant with the SMTP accounts? "([^"]+)"(?: and "([^"]+)")? on a mail server that watches its connections$/, async function (this: GenroWorld, first: string, second?: string) {
  await connections(this).accountsOnWatchingServer(second ? [first, second] : [first]);
});

Given('the account {string} sends {int} message(s) per cycle', async function (this: GenroWorld, name: string, count: number) {
  await connections(this).setBatchSize(name, count);
});

When(/^the account "([^"]+)" sends (\d+) (?:more )?messages?(?:, one after another)?$/, async function (this: GenroWorld, name: string, count: string) {
  await connections(this).sendOneAfterAnother(name, Number(count));
});

When('the account {string} sends nothing for {int} seconds', async function (this: GenroWorld, name: string, seconds: number) {
  await connections(this).staysIdle(name, seconds);
});

When('the account {string} submits {int} messages at once in the batch {string}', async function (this: GenroWorld, name: string, count: number, batch: string) {
  await connections(this).submitAtOnce(name, count, batch);
});

Then('the mail server takes each of the {int} mails once', async function (this: GenroWorld, count: number) {
  await connections(this).assertEachMailOnce(count);
});

Then('the mail server saw exactly these connections:', async function (this: GenroWorld, table: DataTable) {
  await connections(this).assertConnections(table.hashes().map((row) => ({ account: row['logged in as']!, mails: Number(row['mails']) })));
});

Then('the mail server saw no more than {int} connections, each logged in once as {string}', function (this: GenroWorld, count: number, name: string) {
  connections(this).assertAtMostConnections(name, count);
});

Then('never more than {int} mails of {string} were on the way at the same time', function (this: GenroWorld, count: number, name: string) {
  connections(this).assertAtMostAtOnce(name, count);
});
