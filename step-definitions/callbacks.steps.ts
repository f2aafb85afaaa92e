import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { DeliveryReports, STANDARD_SYNC_PATH } from '../support/capabilities/delivery-reports.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const reports = (world: GenroWorld) => world.use(DeliveryReports.forScenario);

Given('a tenant whose application receives delivery reports with a bearer token', async function (this: GenroWorld) {
  await reports(this).tenantWithBearerToken();
});

Given('a tenant whose application receives delivery reports on its own path with basic authentication', async function (this: GenroWorld) {
  await reports(this).tenantWithBasicAuthOnOwnPath();
});

Given('the application fails the next delivery report with a server error', function (this: GenroWorld) {
  reports(this).receiver.answerNextReport({ status: 500, body: { error: 'the application is restarting' } });
});

Given('the application answers delivery reports with a plain-text OK', function (this: GenroWorld) {
  reports(this).receiver.answerAlways({ status: 200, body: 'OK' });
});

Given('the application asks for one hour of quiet time in its answers', function (this: GenroWorld) {
  reports(this).receiver.answerAlways({ status: 200, body: { ok: true, next_sync_after: Math.floor(Date.now() / 1000) + 3600 } });
});

Given("the application's endpoint is failing", function (this: GenroWorld) {
  reports(this).receiver.answerAlways({ status: 503, body: { error: 'down for maintenance' } });
});

When("the application's endpoint works again", function (this: GenroWorld) {
  reports(this).receiver.answerAlways({ status: 200, body: { ok: true } });
});

When('the application asks the proxy to sync the tenant now', async function (this: GenroWorld) {
  await this.proxy.instance.runNow(this.tenantId);
});

When('the proxy is stopped', async function (this: GenroWorld) {
  await this.session.provider.mainProxy.stop();
});

When('the proxy starts again', async function (this: GenroWorld) {
  this.restartedAt = Date.now();
  await this.session.provider.mainProxy.restart();
});

Then('the application receives a delivery report for {string}', async function (this: GenroWorld, alias: string) {
  await reports(this).receiver.waitForItem(this.messageId(alias), `a delivery report for "${alias}"`, reports(this).timeoutMs);
});

Then('the application receives the delivery report for {string} again', async function (this: GenroWorld, alias: string) {
  await reports(this).receiver.waitForItem(this.messageId(alias), `a second delivery report for "${alias}"`, reports(this).timeoutMs, () => true, 2);
});

Then('the application receives the delivery report for {string} again, after the proxy started', async function (this: GenroWorld, alias: string) {
  const { request } = await reports(this).receiver.waitForItem(this.messageId(alias), `a delivery report for "${alias}" after the restart`, reports(this).timeoutMs, () => true, 2);
  expect(request.receivedAt, 'received after the restart began').to.be.greaterThan(this.restartedAt!);
  expect(request.answeredStatus, 'and accepted').to.equal(200);
});

Then('no further delivery report for {string} arrives', async function (this: GenroWorld, alias: string) {
  await reports(this).receiver.expectNoItemFor(this.messageId(alias), this.quietPeriodMs);
});

Then('no delivery report for {string} arrives during the quiet time', async function (this: GenroWorld, alias: string) {
  // None at all: a report that came before this step started counts too.
  await reports(this).receiver.expectNoItemFor(this.messageId(alias), this.quietPeriodMs, 0);
});

Then("the report for {string} came to the standard sync path with the tenant's bearer token", function (this: GenroWorld, alias: string) {
  const [first] = reports(this).receiver.requestsWithItemFor(this.messageId(alias));
  expect(first?.method).to.equal('POST');
  expect(first?.path, 'path of the report').to.equal(STANDARD_SYNC_PATH);
  expect(first?.headers.authorization, 'Authorization header').to.equal(`Bearer ${reports(this).bearerToken}`);
});

Then("the report for {string} came to the tenant's own path with its basic credentials", function (this: GenroWorld, alias: string) {
  const r = reports(this);
  const [first] = r.receiver.requestsWithItemFor(this.messageId(alias));
  expect(first?.path, 'path of the report').to.equal(r.ownPath);
  const expected = `Basic ${Buffer.from(`${r.basic!.user}:${r.basic!.password}`).toString('base64')}`;
  expect(first?.headers.authorization, 'Authorization header').to.equal(expected);
});

Then(/^the report for "([^"]*)" says it (was sent|failed|was deferred), with exactly the fields "([^"]*)"$/, async function (this: GenroWorld, alias: string, outcome: string, fields: string) {
  const key = { 'was sent': 'sent_ts', failed: 'error_ts', 'was deferred': 'deferred_ts' }[outcome]!;
  const { item } = await reports(this).receiver.waitForItem(this.messageId(alias), `a report that "${alias}" ${outcome}`, reports(this).timeoutMs, (i) => key in i);
  expect(Object.keys(item).sort(), `fields of the report item ${JSON.stringify(item)}`).to.deep.equal(fields.split(',').map((f) => f.trim()).sort());
  expect(item.id).to.equal(this.messageId(alias));
});

Then('the time in the report for {string} is the time it was sent', async function (this: GenroWorld, alias: string) {
  const sent = reports(this).receiver.itemsFor(this.messageId(alias)).find(({ item }) => 'sent_ts' in item);
  expect(sent?.item.sent_ts, 'sent_ts').to.equal((await this.record(alias)).smtp_ts);
});

Then('the error in the report for {string} mentions {string}', function (this: GenroWorld, alias: string, text: string) {
  expect(reports(this).fieldValues(this.messageId(alias), 'error').join(' | '), `error in the reports for "${alias}"`).to.include(text);
});

Then('the deferral reason in the report for {string} mentions {string}', function (this: GenroWorld, alias: string, text: string) {
  expect(reports(this).fieldValues(this.messageId(alias), 'deferred_reason').join(' | '), `deferred_reason in the reports for "${alias}"`).to.include(text);
});

Then('the proxy shows the tenant in quiet time', async function (this: GenroWorld) {
  const status = await this.proxy.instance.syncStatus();
  expect(status.tenants.find((t) => t.id === this.tenantId), `the tenant in /instance/get_sync_status`).to.include({ in_dnd: true });
});
