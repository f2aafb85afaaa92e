import { Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { MessageStatus } from '../support/clients/proxy-api.js';
import { messageFromTable } from '../support/mail-expectations.js';
import type { GenroWorld } from '../support/world.js';

When('the application submits the message {string}:', async function (this: GenroWorld, alias: string, table: DataTable) {
  await this.submit([{ alias, message: messageFromTable(this, alias, table.raw() as [string, string][]) }]);
});

When('the application submits the message {string} in the batch {string}', async function (this: GenroWorld, alias: string, batch: string) {
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

When('the application submits these messages in the batch {string}:', async function (this: GenroWorld, batch: string, table: DataTable) {
  const drafts = table.hashes().map((row) => ({
    alias: row.message!,
    message: this.draft(row.message!, { batch_code: this.batchCode(batch), priority: Number(row.priority) }),
  }));
  await this.submit(drafts);
});

When('the application submits these messages:', async function (this: GenroWorld, table: DataTable) {
  const drafts = table.hashes().map((row) => {
    const message = this.draft(row.message!) as unknown as Record<string, unknown>;
    if (row.missing) delete message[row.missing];
    return { alias: row.message!, message: message as never };
  });
  await this.submit(drafts);
});

When('the application submits the message {string} again', async function (this: GenroWorld, alias: string) {
  await this.submit([{ alias, message: this.message(alias) }]);
});

Then('the proxy accepts {int} message(s) and rejects none', function (this: GenroWorld, count: number) {
  expect(this.lastSubmission, 'the answer of /messages/add_batch').to.deep.include({ ok: true, queued: count, rejected: [] });
});

Then('the proxy accepts {int} message(s)', function (this: GenroWorld, count: number) {
  expect(this.lastSubmission?.queued, 'queued, in the answer of /messages/add_batch').to.equal(count);
});

Then('the proxy rejects {string} because {string}', function (this: GenroWorld, alias: string, reason: string) {
  expect(this.lastSubmission?.rejected, 'rejected, in the answer of /messages/add_batch').to.deep.include({ id: this.messageId(alias), reason });
});

Then('the message {string} is {string} in the message details and in the message list', async function (this: GenroWorld, alias: string, status: MessageStatus) {
  expect(await this.status(alias)).to.deep.equal({ fromGet: status, fromList: status });
});

Then('the message {string} becomes {string} in the message details and in the message list', async function (this: GenroWorld, alias: string, status: MessageStatus) {
  await this.waitForStatus(alias, status);
});

Then('every message of the batch is {string}', async function (this: GenroWorld, status: MessageStatus) {
  for (const alias of this.messages.keys()) await this.waitForStatus(alias, status);
});

Then('the message list shows {string} once', async function (this: GenroWorld, alias: string) {
  const list = await this.proxy.messages.list(this.tenantId!);
  expect(list.filter((m) => m.id === this.messageId(alias)), `rows of "${alias}" in /messages/list`).to.have.length(1);
});
