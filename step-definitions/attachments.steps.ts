import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { attemptEvents } from '../support/clients/proxy-api.js';
import { Attachments } from '../support/capabilities/attachments.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const attachments = (world: GenroWorld) => world.use(Attachments.forScenario);

/** Every way of handing a file over ("as base64 content", "of 200 KB", ...): see Attachments.submitWith. */
When(/^the application submits the message "([^"]*)" with "([^"]*)",? (.+)$/, async function (this: GenroWorld, alias: string, name: string, way: string) {
  await attachments(this).submitWith(alias, name, way);
});

Given("the tenant's attachment endpoint serves {string} as the document {string} to the token {string}", async function (this: GenroWorld, name: string, documentId: string, token: string) {
  const a = attachments(this);
  await a.serveTenantEndpoint(new Map([[documentId, a.file(name).bytes]]), a.scenarioToken(token));
});

Then('the mail {string} carries {string} as {string} with the bytes that were sent', async function (this: GenroWorld, alias: string, name: string, contentType: string) {
  await attachments(this).assertDelivered(alias, name, contentType);
});

Then('the message {string} is sent', async function (this: GenroWorld, alias: string) {
  const record = await attachments(this).outcome(alias);
  expect(record.status, `the outcome of "${alias}" (error: ${record.error ?? 'none'})`).to.equal('sent');
});

Then('the message {string} fails with an error that mentions {string} and {string}', async function (this: GenroWorld, alias: string, first: string, second: string) {
  const record = await attachments(this).outcome(alias);
  expect(record.status, `the outcome of "${alias}"`).to.equal('error');
  expect(record.error, `the error of "${alias}"`).to.be.a('string').that.includes(first).and.includes(second);
  // A file that cannot be had, or may not be sent, is not retried: one attempt, the error.
  expect(attemptEvents(record).map((e) => `${e.event_type}: ${e.description}`), `the attempts of "${alias}"`).to.deep.equal([`error: ${record.error}`]);
});

Then('the file server was asked for {string} with the bearer token {string}', function (this: GenroWorld, name: string, token: string) {
  const requests = attachments(this).fileServer.requestsOf(this.sid).filter((r) => r.path.endsWith(`/${encodeURIComponent(name)}`));
  expect(requests.map((r) => `${r.method} ${r.authorization ?? '(no Authorization)'}`), `requests for "${name}"`).to.deep.equal([`GET Bearer ${token}-${this.sid}`]);
});

Then('the file server was asked for {string} exactly twice, each time with the bearer token {string}', function (this: GenroWorld, name: string, token: string) {
  const requests = attachments(this).fileServer.requestsOf(this.sid).filter((r) => r.path.endsWith(`/${encodeURIComponent(name)}`));
  expect(requests.map((r) => `${r.method} ${r.authorization ?? '(no Authorization)'}`), `requests for "${name}"`).to.deep.equal([`GET Bearer ${token}-${this.sid}`, `GET Bearer ${token}-${this.sid}`]);
});

Then("the tenant's attachment endpoint was asked for the document {string} with the bearer token {string}", function (this: GenroWorld, documentId: string, token: string) {
  const requests = attachments(this).fileServer.requestsOf(this.sid).filter((r) => r.path.endsWith('/tenant/attachments'));
  expect(requests.map((r) => ({ method: r.method, authorization: r.authorization, body: JSON.parse(r.body) as unknown })), 'requests to the endpoint')
    .to.deep.equal([{ method: 'POST', authorization: `Bearer ${token}-${this.sid}`, body: { storage_path: documentId } }]);
});

// ------------------------------------------------------------------ several files fetched at once

When('the application submits the message {string} with {int} files at URLs that each take a moment to answer', async function (this: GenroWorld, alias: string, count: number) {
  await attachments(this).submitWithSlowUrls(alias, count);
});

Then('the mail {string} carries exactly the {int} files, each with the bytes that were sent', async function (this: GenroWorld, alias: string, count: number) {
  await attachments(this).assertDeliveredSlowFiles(alias, count);
});

Then('the file server was asked for each of the {int} files once', function (this: GenroWorld, count: number) {
  attachments(this).assertEachSlowFileFetchedOnce(count);
});

Then('the file server had more than one of them under way at a time, and never more than {int}', function (this: GenroWorld, most: number) {
  attachments(this).assertFetchesAtOnce(2, most);
});

When('the application submits the message {string} with a file whose name is {int} characters long', async function (this: GenroWorld, alias: string, length: number) {
  await attachments(this).submitWithLongName(alias, length);
});

Then('the mail {string} carries the file under its whole {int}-character name, with the bytes that were sent', async function (this: GenroWorld, alias: string, length: number) {
  const a = attachments(this);
  await a.assertDelivered(alias, a.longNamed(length), 'application/pdf');
});

Given(/^"([^"]*)" is served at a URL that needs the token "([^"]*)"(, answering "unavailable" the first time)?$/, async function (this: GenroWorld, name: string, token: string, once?: string) {
  await attachments(this).serve(name, token, once ? 1 : 0);
});

Given("the tenant's own credentials are the bearer token {string}", async function (this: GenroWorld, token: string) {
  const a = attachments(this);
  await a.tenantCredentials(a.scenarioToken(token));
});
