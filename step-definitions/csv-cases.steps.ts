import { Given, Then, When } from '@cucumber/cucumber';
import { join } from 'node:path';
import { expect } from 'chai';
import { ROOT } from '../support/base/config.js';
import { loadCsvScenarios } from '../support/mail/csv-fixture.js';
import { expectMail } from '../support/mail/mail-expectations.js';
import type { GenroWorld } from '../support/cucumber/world.js';

Given('the delivery cases in {string}', function (this: GenroWorld, file: string) {
  this.csvCases = loadCsvScenarios(join(ROOT, 'features', 'fixtures', file));
});

When('the application submits every case', async function (this: GenroWorld) {
  await this.submit(this.csvCases.map((row) => ({
    alias: row.id,
    message: this.draft(row.id, { from: this.resolveAddress(row.from), to: row.to.map((t) => this.resolveAddress(t)), subject: row.subject, body: row.body }),
  })));
});

Then('every case reaches its expected status', async function (this: GenroWorld) {
  for (const row of this.csvCases) await this.waitForStatus(row.id, row.expectedStatus);
});

Then('every case reaches its expected final status in the message list', async function (this: GenroWorld) {
  for (const row of this.csvCases) {
    const record = await this.finalRecord(row.id, this.retryTimeoutMs);
    expect(record.status, `final status of case "${row.id}" (line ${row.line}), error: ${record.error ?? 'none'}`).to.equal(row.expectedStatus);
  }
});

Then('every case that is sent is delivered exactly once, as written, and no other case is delivered', async function (this: GenroWorld) {
  const sent = this.csvCases.filter((r) => r.expectedStatus === 'sent');
  for (const row of sent) {
    const mail = await this.deliveredMail(row.id);
    expectMail(this, mail, await this.mailpit.writtenHeaders(mail.ID), [
      ['from', row.from], ['to', row.to.join(', ')], ['subject', row.subject], ['body', row.body],
    ]);
  }
  await this.assertEachDeliveredOnce(sent.map((row) => row.id));
  for (const row of this.csvCases.filter((r) => r.expectedStatus !== 'sent')) await this.assertNotDelivered(row.id);
});
