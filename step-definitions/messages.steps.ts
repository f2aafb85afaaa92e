import { Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { HistoryEvent, MessageRecord, MessageStatus } from '../support/clients/proxy-api.js';
import { consistently, eventually } from '../support/base/eventually.js';
import { messageFromTable } from '../support/mail/mail-expectations.js';
import type { GenroWorld } from '../support/cucumber/world.js';

/** The outcomes of delivery attempts in a message's history, oldest first. */
function attemptEvents(record: MessageRecord): HistoryEvent[] {
  return (record.history ?? []).filter((e) => ['sent', 'error', 'deferred'].includes(e.event_type)).sort((a, b) => a.event_id - b.event_id);
}

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

When('the application submits these messages:', async function (this: GenroWorld, table: DataTable) {
  const drafts = table.hashes().map((row) => {
    const message = this.draft(row.message!, row.priority === undefined ? {} : { priority: Number(row.priority) }) as unknown as Record<string, unknown>;
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

When('the application submits the message {string}', async function (this: GenroWorld, alias: string) {
  await this.submit([{ alias, message: this.draft(alias) }]);
});

When('the application submits the message {string} to {string}', async function (this: GenroWorld, alias: string, people: string) {
  await this.submit([{ alias, message: this.draft(alias, { to: this.resolveAddressList(people) }) }]);
});

When('the application submits the message {string} through the account {string}', async function (this: GenroWorld, alias: string, account: string) {
  await this.submit([{ alias, message: this.draft(alias, { account_id: `${account}-${this.sid}` }) }]);
});

Then('the proxy rejects {string} because its account is unknown', function (this: GenroWorld, alias: string) {
  const rejected = this.lastSubmission?.rejected ?? [];
  expect(rejected.map((r) => r.id), 'ids rejected by /messages/add_batch').to.include(this.messageId(alias));
  expect(rejected.find((r) => r.id === this.messageId(alias))?.reason, 'the reason').to.match(/account/i);
});

Then('the message {string} fails at the first attempt, with an error that mentions {string}', async function (this: GenroWorld, alias: string, text: string) {
  const attempts = attemptEvents(await this.finalRecord(alias, this.retryTimeoutMs));
  expect(attempts.map((e) => `${e.event_type}: ${e.description}`), `delivery attempts of "${alias}"`).to.have.length.at.least(1);
  expect(attempts[0]!.event_type, `outcome of the first attempt of "${alias}" (${attempts[0]!.description})`).to.equal('error');
  expect(attempts[0]!.description, `error of "${alias}"`).to.include(text);
  expect(attempts, `attempts of "${alias}": a permanent error is not retried`).to.have.length(1);
});

Then('the message {string} ends in error, with an error that mentions {string}', async function (this: GenroWorld, alias: string, text: string) {
  const record = await this.finalRecord(alias, this.retryTimeoutMs);
  expect(record.status, `final status of "${alias}"`).to.equal('error');
  expect(record.error, `error of "${alias}"`).to.include(text);
});

Then('the history of {string} shows a deferral with retry count {int} and a reason that mentions {string}', async function (this: GenroWorld, alias: string, count: number, text: string) {
  await eventually(
    { description: `a deferral of "${alias}" with retry_count ${count} and a reason mentioning "${text}"`, timeoutMs: this.deliveryTimeoutMs },
    async () => (await this.record(alias, true)).history ?? [],
    (history) => history.some((e) => e.event_type === 'deferred' && e.metadata?.retry_count === count && (e.description ?? '').includes(text)),
  );
});

Then('the history of {string} shows that {string} was refused', async function (this: GenroWorld, alias: string, person: string) {
  const history = (await this.finalRecord(alias)).history ?? [];
  const address = this.address(person);
  const mentions = history.filter((e) => `${e.description ?? ''} ${JSON.stringify(e.metadata ?? {})}`.includes(address));
  expect(mentions, `events of "${alias}" that mention the refused recipient ${address}; the history is ${JSON.stringify(history)}`).to.not.be.empty;
});

Then('the outcome of {string} stays unreported', async function (this: GenroWorld, alias: string) {
  await this.finalRecord(alias);
  await consistently(
    { description: `no event of "${alias}" marked as reported`, timeoutMs: this.quietPeriodMs },
    async () => ((await this.record(alias, true)).history ?? []).map((e) => ({ type: e.event_type, reported_ts: e.reported_ts })),
    (events) => events.length > 0 && events.every((e) => e.reported_ts === null),
  );
});
