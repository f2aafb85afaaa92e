import { Given, Then, When } from '@cucumber/cucumber';
import { OwnProxy } from '../support/capabilities/own-proxy.js';
import { Submissions } from '../support/capabilities/submissions.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// What the proxy answers to a submission: recipients, bad addresses, duplicates, and how fast.

const submissions = (world: GenroWorld) => world.use(Submissions.forScenario);

When('the application submits the message {string} to {string}, written as one text', async function (this: GenroWorld, alias: string, people: string) {
  await submissions(this).submitToOneText(alias, people);
});

Then('{word} and {word} each receive the mail {string} once', async function (this: GenroWorld, first: string, second: string, alias: string) {
  await submissions(this).assertEachReceivedOnce(alias, [first, second]);
});

When('the application submits the message {string} with an empty list of recipients', async function (this: GenroWorld, alias: string) {
  await submissions(this).submitWithRecipients(alias, []);
});

Then('the proxy queues nothing and rejects {string}, naming the missing recipients', async function (this: GenroWorld, alias: string) {
  await submissions(this).assertRejectedOnly(alias, 0, /\bto\b|recipient/i, 'the recipients');
});

When('the application submits the message {string} and the message {string} to the address {string}', async function (this: GenroWorld, good: string, bad: string, address: string) {
  await submissions(this).submitOneMalformed(good, bad, address);
});

Then('the proxy queues 1 message and rejects {string}, naming its address', async function (this: GenroWorld, alias: string) {
  const [address] = this.message(alias).to as string[];
  await submissions(this).assertRejectedOnly(alias, 1, new RegExp(`address|${address!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i'), 'the malformed address');
});

Then('the proxy queues nothing and rejects {string} as a duplicate', function (this: GenroWorld, alias: string) {
  submissions(this).assertRejectedAsDuplicate(alias);
});

Given('a tenant whose SMTP account points at a mail server that takes connections and never answers', async function (this: GenroWorld) {
  await this.createTenant();
  await submissions(this).accountOnSilentServer();
});

When('the application submits the message {string}, timing the answer', async function (this: GenroWorld, alias: string) {
  await submissions(this).submitTimed(alias);
});

When('the proxy is trying to deliver it to that server', async function (this: GenroWorld) {
  await submissions(this).waitUntilProxyTalksToTheServer();
});

Then('the submissions of {string} and {string} were both answered at once, and the messages wait unsent', async function (this: GenroWorld, first: string, second: string) {
  await submissions(this).assertAnsweredAtOnce([first, second]);
});

Given('a proxy of its own whose default SMTP server is the mail sink', async function (this: GenroWorld) {
  await this.use(OwnProxy.forScenario).start({ label: 'default-smtp', defaultSmtp: this.session.endpoints.mailpit.smtpForProxy });
});

Given('a tenant with no SMTP account of its own', async function (this: GenroWorld) {
  await this.createTenant();
});

When('the application submits the message {string} without naming an account', async function (this: GenroWorld, alias: string) {
  await submissions(this).submitWithoutAccount(alias);
});

Then('the proxy queues {string}, rejecting nothing', function (this: GenroWorld, alias: string) {
  submissions(this).assertQueuedAlone(alias);
});
