import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import { Answers } from '../support/capabilities/answers.js';
import { ApiInput } from '../support/capabilities/api-input.js';
import { TenantKeys } from '../support/capabilities/tenant-keys.js';
import { TenantScope } from '../support/capabilities/tenant-scope.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// Who may call the API: the operator's token, no token, and tenants with keys of their own.

const keys = (world: GenroWorld) => world.use(TenantKeys.forScenario);
const input = (world: GenroWorld) => world.use(ApiInput.forScenario);
const scope = (world: GenroWorld) => world.use(TenantScope.forScenario);

// ------------------------------------------------------------------ tokens

When(/^the tenant list is asked for (without a token|with a token the proxy never issued)$/, async function (this: GenroWorld, token: string) {
  await input(this).askForTenantsWith(token === 'without a token' ? 'no token' : 'a token the proxy never issued');
});

Then('the call is refused as unauthorized, with an error the application can read', function (this: GenroWorld) {
  input(this).assertRefusedAsUnauthorized();
});

Then('the health check answers without a token', async function (this: GenroWorld) {
  await input(this).assertHealthOpen();
});

Then('the metrics answer without a token, in the form monitoring tools read', async function (this: GenroWorld) {
  await input(this).assertMetricsOpen();
});

// ------------------------------------------------------------------ a tenant's own key

Given(/^the tenants? "(\w+)"(?: and "(\w+)", each)? with a key of its own$/, async function (this: GenroWorld, first: string, second?: string) {
  this.tenantId = await keys(this).createTenant(first);
  if (second) await keys(this).createTenant(second);
});

Given('the tenant {string} with a key that expired a minute ago', async function (this: GenroWorld, name: string) {
  this.tenantId = await keys(this).createTenant(name);
  await keys(this).replaceKey(name, Math.floor(Date.now() / 1000) - 60);
});

When('{word}, with its key, adds an SMTP account on the mail sink', async function (this: GenroWorld, name: string) {
  await keys(this).addOwnSinkAccount(name);
});

When('{word}, with its key, submits the message {string}', async function (this: GenroWorld, name: string, alias: string) {
  await keys(this).submitWithOwnKey(name, alias);
});

Then('{word}, with its key, sees the message {string} as {string}', async function (this: GenroWorld, name: string, alias: string, status: string) {
  await keys(this).waitForOwnStatus(name, alias, status);
});

When('{word}, with its key, asks for its own accounts', async function (this: GenroWorld, name: string) {
  this.use(Answers.forScenario).reset();
  await keys(this).listOwnAccounts(name);
});

Then(/^(\w+)'s key (?:still )?works$/, async function (this: GenroWorld, name: string) {
  expect(Answers.describe(await keys(this).listOwnAccounts(name)), `${name}'s own key on its own accounts`).to.equal('GET /accounts/list: HTTP 200 application/json');
});

Then(/^(\w+)'s key is (\d+) characters of URL-safe base64$/, function (this: GenroWorld, name: string, length: string) {
  keys(this).assertKeyForm(name, Number(length));
});

Then(/^(\w+)'s new key is not its old one$/, function (this: GenroWorld, name: string) {
  keys(this).assertNewKeyDiffers(name);
});

Then(/^the proxy's database holds neither of (\w+)'s keys, only a SHA-256 hash of its new key$/, async function (this: GenroWorld, name: string) {
  await keys(this).assertOnlyCurrentKeyHashed(name);
});

When('the operator revokes {word}\'s key', async function (this: GenroWorld, name: string) {
  await this.proxy.tenants.revokeApiKey(keys(this).tenantId(name));
});

// ------------------------------------------------------------------ one tenant against another

Given('{word} has an SMTP account and the message {string} waiting to be sent', async function (this: GenroWorld, name: string, alias: string) {
  await keys(this).giveAccountAndHeldMessage(name, alias);
});

When('{word}, with its key, asks for {word}\'s accounts and messages', async function (this: GenroWorld, name: string, other: string) {
  await keys(this).readOthers(name, other);
});

When('{word}, with its key, tries to change {word}\'s account, then to delete its message and the account itself', async function (this: GenroWorld, name: string, other: string) {
  await keys(this).tamperWith(name, other);
});

When('{word}, with its key, tries to create a tenant and to replace {word}\'s key', async function (this: GenroWorld, name: string, other: string) {
  await keys(this).overreach(name, other);
});

Then('every one of these calls is refused', function (this: GenroWorld) {
  keys(this).assertAllRefused();
});

Then('{word}\'s own key and the operator\'s token may make these same calls', async function (this: GenroWorld, other: string) {
  await keys(this).assertAllowedToOwnerAndOperator(other);
});

Then('there is no tenant {string}', async function (this: GenroWorld, name: string) {
  await keys(this).assertNoTenant(name);
});

Then('{word}\'s account and its message {string} are as they were', async function (this: GenroWorld, name: string, alias: string) {
  await keys(this).assertUntouched(name, alias);
});

When('the operator deletes for {word} the messages {string} and {string} and one that never existed', async function (this: GenroWorld, name: string, own: string, other: string) {
  await keys(this).bulkDelete(name, own, other, 'never-existed');
});

Then('the answer says {string} was removed, {string} is not {word}\'s and the other was not found', function (this: GenroWorld, own: string, other: string, _name: string) {
  keys(this).assertBulkDeleteAnswer([own], [other], ['never-existed']);
});

Then('{word} no longer has the message {string}', async function (this: GenroWorld, name: string, alias: string) {
  expect(await keys(this).listedIdsOf(name), `ids in ${name}'s message list`).to.not.include(this.messageId(alias));
});

// ------------------------------------------------------------------ every route family, with and without a tenant id

Given('the tenants {string} and {string}, each with a key, accounts, a storage and a message of its own', async function (this: GenroWorld, first: string, second: string) {
  await scope(this).tenantsWithDataOfTheirOwn([first, second]);
});

When('{word}, with its key, makes these calls:', async function (this: GenroWorld, name: string, table: DataTable) {
  await scope(this).makeCalls(name, table.hashes() as { call: string; answer: string }[]);
});

Then('each call gets the answer its line gives', function (this: GenroWorld) {
  scope(this).assertAnsweredAsTheLinesSay();
});

Then('{word}\'s tenant, accounts, messages and storages are as they were before these calls', async function (this: GenroWorld, name: string) {
  await scope(this).assertAsItWas(name);
});
