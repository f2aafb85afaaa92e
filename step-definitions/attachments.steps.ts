import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { Attachments } from '../support/capabilities/attachments.js';
import type { Attachment } from '../support/clients/proxy-api.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const attachments = (world: GenroWorld) => world.use(Attachments.forScenario);

async function submitWith(world: GenroWorld, alias: string, attachment: Attachment): Promise<void> {
  await world.submit([{ alias, message: world.draft(alias, { attachments: [attachment] }) }]);
}

When('the application submits the message {string} with {string} as base64 content', async function (this: GenroWorld, alias: string, name: string) {
  const a = attachments(this);
  await submitWith(this, alias, a.base64(a.file(name), 'fetch_mode'));
});

When('the application submits the message {string} with {string} as base64 content after the {string} prefix', async function (this: GenroWorld, alias: string, name: string, _prefix: string) {
  const a = attachments(this);
  await submitWith(this, alias, a.base64(a.file(name), 'prefix'));
});

When('the application submits the message {string} with {string} named with its MD5 marker', async function (this: GenroWorld, alias: string, name: string) {
  const a = attachments(this);
  await submitWith(this, alias, a.md5Marked(a.file(name)));
});

When('the application submits the message {string} with {string} at a URL that needs the token {string}', async function (this: GenroWorld, alias: string, name: string, token: string) {
  const a = attachments(this);
  await submitWith(this, alias, await a.httpUrl(a.file(name), `${token}-${this.sid}`));
});

When("the application submits the message {string} with {string} from the proxy's file system", async function (this: GenroWorld, alias: string, name: string) {
  const a = attachments(this);
  await submitWith(this, alias, a.filesystem(a.file(name)));
});

Given("the tenant's attachment endpoint serves {string} as the document {string} to the token {string}", async function (this: GenroWorld, name: string, documentId: string, token: string) {
  const a = attachments(this);
  await a.serveTenantEndpoint(new Map([[documentId, a.file(name).bytes]]), `${token}-${this.sid}`);
});

When("the application submits the message {string} with {string}, the document {string} of the tenant's attachment endpoint", async function (this: GenroWorld, alias: string, name: string, documentId: string) {
  const a = attachments(this);
  await submitWith(this, alias, a.endpointDocument(a.sent(name), documentId));
});

When('the application submits the message {string} with {string} as invalid base64 content', async function (this: GenroWorld, alias: string, name: string) {
  await submitWith(this, alias, attachments(this).invalidBase64(name));
});

When("the application submits the message {string} with {string} from a path of the proxy's file system where no file is", async function (this: GenroWorld, alias: string, name: string) {
  await submitWith(this, alias, attachments(this).missingFile(name));
});

When('the application submits the message {string} with {string} at a URL where no server answers', async function (this: GenroWorld, alias: string, name: string) {
  await submitWith(this, alias, await attachments(this).unreachableUrl(name));
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
});

Then('the file server was asked for {string} with the bearer token {string}', function (this: GenroWorld, name: string, token: string) {
  const requests = attachments(this).fileServer.requestsOf(this.sid).filter((r) => r.path.endsWith(`/${encodeURIComponent(name)}`));
  expect(requests.map((r) => `${r.method} ${r.authorization ?? '(no Authorization)'}`), `requests for "${name}"`).to.deep.equal([`GET Bearer ${token}-${this.sid}`]);
});

Then("the tenant's attachment endpoint was asked for the document {string} with the bearer token {string}", function (this: GenroWorld, documentId: string, token: string) {
  const requests = attachments(this).fileServer.requestsOf(this.sid).filter((r) => r.path.endsWith('/tenant/attachments'));
  expect(requests.map((r) => ({ method: r.method, authorization: r.authorization, body: JSON.parse(r.body) as unknown })), 'requests to the endpoint')
    .to.deep.equal([{ method: 'POST', authorization: `Bearer ${token}-${this.sid}`, body: { storage_path: documentId } }]);
});
