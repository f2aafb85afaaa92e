import { Given, Then, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import { Persistence } from '../support/capabilities/persistence.js';
import { expectMail, expectMessageIdForm, expectSendDate, headerValues, scenarioMessageId } from '../support/mail/mail-expectations.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// The mails that reach the mail sink, as the recipients get them.

Given('the message {string} to {word} was delivered', async function (this: GenroWorld, alias: string, person: string) {
  await this.submit([{ alias, message: this.draft(alias, { to: [this.address(person)], message_id: scenarioMessageId(this, alias) }) }]);
  await this.deliveredMail(alias);
});

Then('the mail {string} is delivered', async function (this: GenroWorld, alias: string) {
  await this.deliveredMail(alias);
});

Then('the mail {string} is delivered with:', async function (this: GenroWorld, alias: string, table: DataTable) {
  const mail = await this.deliveredMail(alias);
  expectMail(this, mail, await this.mailpit.writtenHeaders(mail.ID), table.raw() as [string, string][]);
});

Then('the mail {string} was not sent before its scheduled time', async function (this: GenroWorld, alias: string) {
  const scheduled = this.message(alias).deferred_ts!;
  const [mail] = await this.mailsFor(alias);
  // The sink has the mail a moment before the proxy records the send.
  await this.waitForStatus(alias, 'sent');
  const record = await this.record(alias);
  expect(Date.parse(mail!.Created) / 1000, 'time the sink received it').to.be.at.least(scheduled);
  expect(record.smtp_ts, 'smtp_ts of the message').to.be.at.least(scheduled);
});

Then('every message of the batch is delivered exactly once', async function (this: GenroWorld) {
  await this.assertEachDeliveredOnce([...this.messages.keys()]);
});

Then(/^(\w+) receives the mail "([^"]*)"( as a blind copy)?$/, async function (this: GenroWorld, person: string, alias: string, blind?: string) {
  const mail = await this.deliveredMail(alias);
  if (blind) expect(mail.Bcc?.map((a) => a.Address), 'envelope recipients outside To and Cc').to.include(this.address(person));
  else expect(mail.To.map((a) => a.Address), 'recipients the mail reached').to.include(this.address(person));
});

Then('the mail {string} as written by the proxy has no {string} header', async function (this: GenroWorld, alias: string, name: string) {
  const mail = await this.deliveredMail(alias);
  expect(headerValues(await this.mailpit.writtenHeaders(mail.ID), name), `${name} headers`).to.deep.equal([]);
});

Then('the mail {string} as written by the proxy has a {string} header and a {string} header', async function (this: GenroWorld, alias: string, first: string, second: string) {
  const mail = await this.deliveredMail(alias);
  const written = await this.mailpit.writtenHeaders(mail.ID);
  const missing = [first, second].filter((name) => headerValues(written, name).length !== 1);
  expect(missing, `headers missing from the mail as written by the proxy (it has: ${written.map((h) => h.name).join(', ')})`).to.deep.equal([]);
  for (const name of [first, second]) {
    if (name.toLowerCase() === 'date') expectSendDate((await this.mailsFor(alias))[0]!, written);
    if (name.toLowerCase() === 'message-id') expectMessageIdForm(mail, written);
  }
});

Then('the mails {string} and {string} as written by the proxy have Message-IDs of their own', async function (this: GenroWorld, first: string, second: string) {
  const ids: string[] = [];
  for (const alias of [first, second]) {
    const mail = await this.deliveredMail(alias);
    ids.push(expectMessageIdForm(mail, await this.mailpit.writtenHeaders(mail.ID)));
  }
  expect(ids[0], `the Message-ID of "${first}" against that of "${second}"`).to.not.equal(ids[1]);
});

Then('the mail {string} as written by the proxy has a {string} header and the Message-ID {string}', async function (this: GenroWorld, alias: string, name: string, given: string) {
  if (name.toLowerCase() !== 'date') throw new Error(`this step checks the Date header, not "${name}"`);
  const mail = await this.deliveredMail(alias);
  const written = await this.mailpit.writtenHeaders(mail.ID);
  expectSendDate((await this.mailsFor(alias))[0]!, written);
  expect(headerValues(written, 'Message-ID'), 'the Message-ID header, as the application gave it').to.deep.equal([scenarioMessageId(this, given)]);
});

Then('the mail {string} as written by the proxy has the headers:', async function (this: GenroWorld, alias: string, table: DataTable) {
  const mail = await this.deliveredMail(alias);
  const written = await this.mailpit.writtenHeaders(mail.ID);
  for (const [name, value] of table.raw() as [string, string][]) {
    const expected = name.toLowerCase() === 'message-id' ? scenarioMessageId(this, value) : value;
    expect(headerValues(written, name), `the ${name} header`).to.deep.equal([expected]);
  }
});

Then('the mails arrive in this order: {string}, {string}, {string}, {string}', async function (this: GenroWorld, first: string, second: string, third: string, fourth: string) {
  const aliases = [first, second, third, fourth];
  for (const alias of aliases) await this.deliveredMail(alias);
  const received = await Promise.all(aliases.map(async (alias) => ({ alias, at: Date.parse((await this.mailsFor(alias))[0]!.Created) })));
  const order = [...received].sort((a, b) => a.at - b.at).map((m) => m.alias);
  expect(order, `arrival order (received at: ${JSON.stringify(received)})`).to.deep.equal(aliases);
});

Then('the mail {string} is not delivered', async function (this: GenroWorld, alias: string) {
  await this.assertNotDelivered(alias);
});

Then('the mail {string} is not delivered, not even after its scheduled time', async function (this: GenroWorld, alias: string) {
  await this.use(Persistence.forScenario).assertNeverDelivered(alias);
});

Then('the mail {string} is delivered only once', async function (this: GenroWorld, alias: string) {
  await this.assertDeliveredOnce(alias);
});
