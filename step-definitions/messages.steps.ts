import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { MessageStatus, OutgoingMessage } from '../support/clients/proxy-api.js';
import { Persistence } from '../support/capabilities/persistence.js';
import { messageFromTable } from '../support/mail/mail-expectations.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// Messages the application submits, and what the API says about them.

When('the application submits the message {string}', async function (this: GenroWorld, alias: string) {
  await this.submit([{ alias, message: this.draft(alias) }]);
});

When('the application submits the message {string}:', async function (this: GenroWorld, alias: string, table: DataTable) {
  await this.submit([{ alias, message: messageFromTable(this, alias, table.raw() as [string, string][]) }]);
});

When('the application submits the message {string} again', async function (this: GenroWorld, alias: string) {
  await this.submit([{ alias, message: this.message(alias) }]);
});

/** "to" people ("alice, ghost"), "in the batch" of that name, "through the account" of that name. */
When(/^the application submits the message "([^"]*)" (to|in the batch|through the account) "([^"]*)"$/, async function (this: GenroWorld, alias: string, how: string, what: string) {
  const fields: Partial<OutgoingMessage> = how === 'to' ? { to: this.resolveAddressList(what) }
    : how === 'in the batch' ? { batch_code: this.batchCode(what) } : { account_id: `${what}-${this.sid}` };
  await this.submit([{ alias, message: this.draft(alias, fields) }]);
});

Given('the message {string} waits in the suspended batch {string}', async function (this: GenroWorld, alias: string, batch: string) {
  await this.proxy.tenants.suspendBatch(this.tenantId!, this.batchCode(batch));
  await this.submit([{ alias, message: this.draft(alias, { batch_code: this.batchCode(batch) }) }]);
});

When('the application submits the message {string} scheduled {int} seconds from now', async function (this: GenroWorld, alias: string, seconds: number) {
  await this.submit([{ alias, message: this.draft(alias, { deferred_ts: Math.floor(Date.now() / 1000) + seconds }) }]);
});

When('the application submits a batch of {int} messages', async function (this: GenroWorld, count: number) {
  const drafts = Array.from({ length: count }, (_, i) => {
    const alias = `batch-${i + 1}`;
    return { alias, message: this.draft(alias, { subject: `Batch message ${i + 1} of ${count}` }) };
  });
  await this.submit(drafts);
});

When('the application submits these messages:', async function (this: GenroWorld, table: DataTable) {
  const drafts = table.hashes().map((row) => {
    const message = this.draft(row.message!, row.priority === undefined ? {} : { priority: Number(row.priority) }) as unknown as Record<string, unknown>;
    if (row.missing) delete message[row.missing];
    return { alias: row.message!, message: message as never };
  });
  await this.submit(drafts);
});

Then(/^the proxy accepts (\d+) messages?( and rejects none)?$/, function (this: GenroWorld, count: string, none?: string) {
  if (none) expect(this.lastSubmission, 'the answer of /messages/add_batch').to.deep.include({ ok: true, queued: Number(count), rejected: [] });
  else expect(this.lastSubmission?.queued, 'queued, in the answer of /messages/add_batch').to.equal(Number(count));
});

Then('the proxy rejects {string} because {string}', function (this: GenroWorld, alias: string, reason: string) {
  expect(this.lastSubmission?.rejected, 'rejected, in the answer of /messages/add_batch').to.deep.include({ id: this.messageId(alias), reason });
});

/** Rejected at submission: nothing queued, a reason saying the account is not found, and the message neither stored nor sent. */
Then('the proxy rejects {string} because its account is unknown', async function (this: GenroWorld, alias: string) {
  const rejected = this.lastSubmission?.rejected ?? [];
  expect(rejected.map((r) => r.id), 'ids rejected by /messages/add_batch').to.include(this.messageId(alias));
  expect(this.lastSubmission, 'the answer of /messages/add_batch').to.deep.include({ ok: true, queued: 0 });
  const reason = rejected.find((r) => r.id === this.messageId(alias))?.reason;
  expect(reason, 'the reason').to.match(/account/i).and.to.match(/not found|unknown|no such|does not exist/i);
  expect((await this.proxy.messages.list(this.tenantId)).map((m) => m.id), 'ids in the message list').to.not.include(this.messageId(alias));
  await this.assertNotDelivered(alias);
});

Then('the message {string} is {string} in the message details and in the message list', async function (this: GenroWorld, alias: string, status: MessageStatus) {
  expect(await this.status(alias), `the status of "${alias}"`).to.deep.equal({ fromGet: status, fromList: status });
});

Then('the message {string} becomes {string} in the message details and in the message list', async function (this: GenroWorld, alias: string, status: MessageStatus) {
  await this.waitForStatus(alias, status);
});

Then('the message details and the message list give {string} the same error, with its time', async function (this: GenroWorld, alias: string) {
  await this.assertSameErrorInBothViews(alias);
});

Then('every message of the batch is {string}', async function (this: GenroWorld, status: MessageStatus) {
  for (const alias of this.messages.keys()) await this.waitForStatus(alias, status);
});

Then('the message list shows {string} once', async function (this: GenroWorld, alias: string) {
  const list = await this.proxy.messages.list(this.tenantId);
  expect(list.filter((m) => m.id === this.messageId(alias)), `rows of "${alias}" in /messages/list`).to.have.length(1);
});

Then('the message list no longer shows {string}', async function (this: GenroWorld, alias: string) {
  expect(await this.use(Persistence.forScenario).listedIds(), 'ids in the message list').to.not.include(this.message(alias).id);
});

Then('the message list still shows {string} and {string}', async function (this: GenroWorld, first: string, second: string) {
  expect(await this.use(Persistence.forScenario).listedIds(), 'ids in the message list').to.include.members([this.message(first).id, this.message(second).id]);
});

When(/^the application cleans up (the messages reported more than a day ago|every message already reported)$/, async function (this: GenroWorld, which: string) {
  if (which === 'every message already reported') await this.use(Persistence.forScenario).cleanupEverythingReported();
  else await this.use(Persistence.forScenario).cleanup();
});

Then('the cleanup removed {int} message(s)', function (this: GenroWorld, count: number) {
  expect(this.use(Persistence.forScenario).lastCleanup, 'the answer to the clean-up').to.deep.equal({ ok: true, removed: count });
});
