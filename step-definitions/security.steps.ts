import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { Access } from '../support/capabilities/access.js';
import { ScenarioSecrets } from '../support/base/secrets.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const access = (world: GenroWorld) => world.use(Access.forScenario);
const secrets = (world: GenroWorld) => world.use(ScenarioSecrets.forScenario);

// ------------------------------------------------------------------ tokens

When('the tenant list is asked for without a token', async function (this: GenroWorld) {
  access(this).reset();
  await access(this).call(access(this).withToken(null), 'GET', '/tenants/list');
});

When('the tenant list is asked for with a token the proxy never issued', async function (this: GenroWorld) {
  access(this).reset();
  await access(this).call(access(this).withToken(secrets(this).make('a token the proxy never issued')), 'GET', '/tenants/list');
});

Then('the call is refused as unauthorized, with a JSON error', function (this: GenroWorld) {
  expect(Access.describe(access(this).last), 'the answer').to.match(/: HTTP 401 application\/json$/);
  expect(access(this).last.body, 'the JSON error').to.have.property('detail').that.is.a('string').and.not.empty;
});

Then('the health check answers without a token', async function (this: GenroWorld) {
  const outcome = await access(this).call(access(this).withToken(null), 'GET', '/health');
  expect([Access.describe(outcome), outcome.body]).to.deep.equal(['GET /health: HTTP 200 application/json', { status: 'ok' }]);
});

Then('the metrics answer without a token, in the Prometheus text format', async function (this: GenroWorld) {
  const outcome = await access(this).call(access(this).withToken(null), 'GET', '/metrics');
  expect(Access.describe(outcome)).to.equal('GET /metrics: HTTP 200 text/plain');
  expect(String(outcome.body), 'the metrics text').to.match(/^# HELP \w+/m).and.to.match(/^# TYPE \w+ (counter|gauge|histogram|summary)/m);
});

// ------------------------------------------------------------------ tenant keys

Given('the tenant {string} with a key of its own', async function (this: GenroWorld, name: string) {
  this.tenantId = await access(this).createTenant(name);
});

Given('the tenants {string} and {string}, each with a key of its own', async function (this: GenroWorld, first: string, second: string) {
  this.tenantId = await access(this).createTenant(first);
  await access(this).createTenant(second);
});

Given('the tenant {string} with a key that expired a minute ago', async function (this: GenroWorld, name: string) {
  this.tenantId = await access(this).createTenant(name);
  await access(this).replaceKey(name, Math.floor(Date.now() / 1000) - 60);
});

When('{word}, with its key, adds an SMTP account on the mail sink', async function (this: GenroWorld, name: string) {
  await access(this).addOwnSinkAccount(name);
});

When('{word}, with its key, submits the message {string}', async function (this: GenroWorld, name: string, alias: string) {
  await access(this).submitWithOwnKey(name, alias);
});

Then('{word}, with its key, sees the message {string} as {string}', async function (this: GenroWorld, name: string, alias: string, status: string) {
  await access(this).waitForOwnStatus(name, alias, status);
});

Given('{word}, with its key, can list its own accounts', async function (this: GenroWorld, name: string) {
  expect(Access.describe(await access(this).listOwnAccounts(name))).to.equal('GET /accounts/list: HTTP 200 application/json');
});

When('{word}, with its key, asks for its own accounts', async function (this: GenroWorld, name: string) {
  access(this).reset();
  await access(this).listOwnAccounts(name);
});

When('the operator revokes {word}\'s key', async function (this: GenroWorld, name: string) {
  await this.proxy.tenants.revokeApiKey(access(this).tenantId(name));
});

// ------------------------------------------------------------------ one tenant against another

Given('{word} has an SMTP account and the message {string} waiting to be sent', async function (this: GenroWorld, name: string, alias: string) {
  await access(this).giveAccountAndHeldMessage(name, alias);
});

When('{word}, with its key, asks for {word}\'s accounts and messages', async function (this: GenroWorld, name: string, other: string) {
  await access(this).readOthers(name, other);
});

When('{word}, with its key, tries to change {word}\'s account, then to delete its message and the account itself', async function (this: GenroWorld, name: string, other: string) {
  await access(this).tamperWith(name, other);
});

When('{word}, with its key, tries to create a tenant and to replace {word}\'s key', async function (this: GenroWorld, name: string, other: string) {
  await access(this).overreach(name, other);
});

Then('every one of these calls is refused', function (this: GenroWorld) {
  access(this).assertAllRefused();
});

Then('{word}\'s account and its message {string} are as they were', async function (this: GenroWorld, name: string, alias: string) {
  await access(this).assertUntouched(name, alias);
});

Then('{word}\'s key still works', async function (this: GenroWorld, name: string) {
  expect(Access.describe(await access(this).listOwnAccounts(name)), `${name}'s own key on its own accounts`).to.equal('GET /accounts/list: HTTP 200 application/json');
});

// ------------------------------------------------------------------ bad input

When('the application adds an account without its {string}', async function (this: GenroWorld, field: string) {
  await access(this).addAccountWithout(field);
});

Then('the call is refused as invalid, naming the field {string}', function (this: GenroWorld, field: string) {
  const answer = access(this).last;
  expect(Access.describe(answer), 'the answer').to.match(/: HTTP 422 application\/json$/);
  const detail = (answer.body as { detail?: { loc?: unknown[] }[] }).detail;
  expect(detail?.map((d) => d.loc?.at(-1)), 'the fields the validation errors name').to.include(field);
});

When('the application asks for a tenant, an account and a message that do not exist', async function (this: GenroWorld) {
  await access(this).askForNothing();
});

Then('every one of these calls is answered "not found", with a JSON error', function (this: GenroWorld) {
  const wrong = access(this).outcomes.filter((o) => o.status !== 404 || !o.contentType.startsWith('application/json')).map(Access.describe);
  expect(wrong, 'calls not answered HTTP 404 with a JSON error').to.deep.equal([]);
});

When('the application submits the messages {string} and {string} in one batch, {string} with the priority {string}', async function (this: GenroWorld, first: string, second: string, invalid: string, priority: string) {
  await access(this).submitWithBadPriority([first, second], invalid, priority);
});

Then('the proxy keeps exactly the messages its answer says it queued', async function (this: GenroWorld) {
  await access(this).assertKeptAsAnswered();
});

Then('the answer says that {string} is invalid', function (this: GenroWorld, alias: string) {
  access(this).assertRejected(alias);
});

// ------------------------------------------------------------------ secrets in reads

Given('a tenant with an SMTP account that logs in with a user and a password', async function (this: GenroWorld) {
  await access(this).addAccountWithPassword();
});

Given('a tenant with a PEC account that reads its receipts over IMAP with a password', async function (this: GenroWorld) {
  await access(this).addPecAccountWithPassword();
});

Given('a tenant whose delivery reports are sent with a bearer token', async function (this: GenroWorld) {
  await access(this).addTenantWithReportToken();
});

When('the application reads the account back: as added, by its id, and in the account list', async function (this: GenroWorld) {
  await access(this).call(this.proxy, 'GET', '/accounts/get', { query: { tenant_id: this.tenantId!, account_id: this.accountId! } });
  await access(this).call(this.proxy, 'GET', '/accounts/list', { query: { tenant_id: this.tenantId! } });
});

When('the application reads the PEC account back: as added, by its id, and in the list of PEC accounts', async function (this: GenroWorld) {
  await access(this).call(this.proxy, 'GET', '/accounts/get', { query: { tenant_id: this.tenantId!, account_id: this.accountId! } });
  await access(this).call(this.proxy, 'GET', '/accounts/list_pec');
});

When('the application reads the tenant back: as added, by its id, and in the tenant list', async function (this: GenroWorld) {
  await access(this).call(this.proxy, 'GET', '/tenants/get', { query: { tenant_id: this.tenantId! } });
  await access(this).call(this.proxy, 'GET', '/tenants/list');
});

Then('none of these answers contains the {word}', function (this: GenroWorld, secret: string) {
  access(this).assertNoAnswerHolds(secret);
});

When('the application reads the tenant {word} back: by its id and in the tenant list', async function (this: GenroWorld, name: string) {
  access(this).reset();
  await access(this).call(this.proxy, 'GET', '/tenants/get', { query: { tenant_id: access(this).tenantId(name) } });
  await access(this).call(this.proxy, 'GET', '/tenants/list');
});

Then('none of these answers contains {word}\'s key, nor a digest of it', function (this: GenroWorld, name: string) {
  access(this).assertNoKeyMaterial(name);
});

Given('the operator has stored a token and the password of the bounce mailbox in the proxy\'s settings', async function (this: GenroWorld) {
  await access(this).storeInstanceSecrets();
});

When('the application reads the proxy\'s settings back: all of them, and those of the bounce mailbox', async function (this: GenroWorld) {
  await access(this).call(this.proxy, 'GET', '/instance/get');
  await access(this).call(this.proxy, 'GET', '/instance/get_bounce_config');
});

Then('none of these answers contains the password or the token', function (this: GenroWorld) {
  access(this).assertNoAnswerHoldsAny(['password', 'token'], 4);
});

Given('a tenant with an S3 storage whose secret key is known only to the operator', async function (this: GenroWorld) {
  await access(this).addS3StorageWithSecret();
});

When('the application reads the storage back: as added, by its name, and in the tenant\'s list of storages', async function (this: GenroWorld) {
  await access(this).call(this.proxy, 'GET', '/storages/get', { query: { tenant_id: this.tenantId!, name: access(this).storageName } });
  await access(this).call(this.proxy, 'GET', '/storages/list', { query: { tenant_id: this.tenantId! } });
});

Then('none of these answers contains the secret key', function (this: GenroWorld) {
  access(this).assertNoAnswerHolds('secret key');
});

// ------------------------------------------------------------------ deleting and adding for the right tenant

When('the operator deletes for {word} the messages {string} and {string} and one that never existed', async function (this: GenroWorld, name: string, own: string, other: string) {
  await access(this).bulkDelete(name, own, other, 'never-existed');
});

Then('the answer says {string} was removed, {string} is not {word}\'s and the other was not found', function (this: GenroWorld, own: string, other: string, _name: string) {
  access(this).assertBulkDeleteAnswer([own], [other], ['never-existed']);
});

Then('{word} no longer has the message {string}', async function (this: GenroWorld, name: string, alias: string) {
  expect(await access(this).listedIdsOf(name), `ids in ${name}'s message list`).to.not.include(this.messageId(alias));
});

When('the application adds an SMTP account for a tenant that does not exist', async function (this: GenroWorld) {
  await access(this).addAccountForUnknownTenant();
});

Then('the call is refused with a JSON error that names the tenant', function (this: GenroWorld) {
  expect(Access.describe(access(this).last), 'the answer').to.match(/: HTTP 4\d\d application\/json$/);
  expect(JSON.stringify(access(this).last.body), 'the JSON error').to.include(this.tenantId!);
});

When('the application submits the message {string} with the priority {int}', async function (this: GenroWorld, alias: string, priority: number) {
  await access(this).submitWithPriority(alias, priority);
});

Then('the proxy refuses {string} at once or sends it, and does not leave it waiting', async function (this: GenroWorld, alias: string) {
  await access(this).assertRefusedOrSent(alias);
});
