import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { Answers } from '../support/capabilities/answers.js';
import { ApiInput } from '../support/capabilities/api-input.js';
import { StoredSecrets } from '../support/capabilities/stored-secrets.js';
import { TenantKeys } from '../support/capabilities/tenant-keys.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const keys = (world: GenroWorld) => world.use(TenantKeys.forScenario);
const input = (world: GenroWorld) => world.use(ApiInput.forScenario);
const stored = (world: GenroWorld) => world.use(StoredSecrets.forScenario);
const answers = (world: GenroWorld) => world.use(Answers.forScenario);

// ------------------------------------------------------------------ tokens

When('the tenant list is asked for without a token', async function (this: GenroWorld) {
  await input(this).askForTenantsWith('no token');
});

When('the tenant list is asked for with a token the proxy never issued', async function (this: GenroWorld) {
  await input(this).askForTenantsWith('a token the proxy never issued');
});

Then('the call is refused as unauthorized, with a JSON error', function (this: GenroWorld) {
  input(this).assertRefusedAsUnauthorized();
});

Then('the health check answers without a token', async function (this: GenroWorld) {
  await input(this).assertHealthOpen();
});

Then('the metrics answer without a token, in the Prometheus text format', async function (this: GenroWorld) {
  await input(this).assertMetricsOpen();
});

// ------------------------------------------------------------------ tenant keys

Given('the tenant {string} with a key of its own', async function (this: GenroWorld, name: string) {
  this.tenantId = await keys(this).createTenant(name);
});

Given('the tenants {string} and {string}, each with a key of its own', async function (this: GenroWorld, first: string, second: string) {
  this.tenantId = await keys(this).createTenant(first);
  await keys(this).createTenant(second);
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

Given('{word}, with its key, can list its own accounts', async function (this: GenroWorld, name: string) {
  expect(Answers.describe(await keys(this).listOwnAccounts(name))).to.equal('GET /accounts/list: HTTP 200 application/json');
});

When('{word}, with its key, asks for its own accounts', async function (this: GenroWorld, name: string) {
  answers(this).reset();
  await keys(this).listOwnAccounts(name);
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

Then('{word}\'s account and its message {string} are as they were', async function (this: GenroWorld, name: string, alias: string) {
  await keys(this).assertUntouched(name, alias);
});

Then('{word}\'s key still works', async function (this: GenroWorld, name: string) {
  expect(Answers.describe(await keys(this).listOwnAccounts(name)), `${name}'s own key on its own accounts`).to.equal('GET /accounts/list: HTTP 200 application/json');
});

// ------------------------------------------------------------------ bad input

When('the application adds an account without its {string}', async function (this: GenroWorld, field: string) {
  await input(this).addAccountWithout(field);
});

Then('the call is refused as invalid, naming the field {string}', function (this: GenroWorld, field: string) {
  input(this).assertRefusedAsInvalid(field);
});

When('the application asks for a tenant, an account and a message that do not exist', async function (this: GenroWorld) {
  await input(this).askForNothing();
});

Then('every one of these calls is answered "not found", with a JSON error', function (this: GenroWorld) {
  input(this).assertAllNotFound();
});

When('the application submits the messages {string} and {string} in one batch, {string} with the priority {string}', async function (this: GenroWorld, first: string, second: string, invalid: string, priority: string) {
  await input(this).submitWithBadPriority([first, second], invalid, priority);
});

Then('the proxy keeps exactly the messages its answer says it queued', async function (this: GenroWorld) {
  await input(this).assertKeptAsAnswered();
});

Then('the answer says that {string} is invalid', function (this: GenroWorld, alias: string) {
  input(this).assertRejected(alias);
});

// ------------------------------------------------------------------ secrets in reads

Given('a tenant with an SMTP account that logs in with a user and a password', async function (this: GenroWorld) {
  await stored(this).addAccountWithPassword();
});

Given('a tenant with a PEC account that reads its receipts over IMAP with a password', async function (this: GenroWorld) {
  await stored(this).addPecAccountWithPassword();
});

Given('a tenant whose delivery reports are sent with a bearer token', async function (this: GenroWorld) {
  await stored(this).addTenantWithReportToken();
});

When('the application reads the account back: as added, by its id, and in the account list', async function (this: GenroWorld) {
  await stored(this).readBack('the account', 'as added, by its id, and in the account list');
});

When('the application reads the PEC account back: as added, by its id, and in the list of PEC accounts', async function (this: GenroWorld) {
  await stored(this).readBack('the PEC account', 'as added, by its id, and in the list of PEC accounts');
});

When('the application reads the tenant back: as added, by its id, and in the tenant list', async function (this: GenroWorld) {
  await stored(this).readBack('the tenant', 'as added, by its id, and in the tenant list');
});

Then('none of these answers contains the {word}', function (this: GenroWorld, secret: string) {
  stored(this).assertNoAnswerHolds(secret);
});

When('the application reads the tenant {word} back: by its id and in the tenant list', async function (this: GenroWorld, name: string) {
  await stored(this).readBack(`the tenant ${name}`, 'by its id and in the tenant list');
});

Then('none of these answers contains {word}\'s key, nor a digest of it', function (this: GenroWorld, name: string) {
  stored(this).assertNoKeyMaterial(name);
});

Given('the operator has stored a token and the password of the bounce mailbox in the proxy\'s settings', async function (this: GenroWorld) {
  await stored(this).storeInstanceSecrets();
});

When('the application reads the proxy\'s settings back: all of them, and those of the bounce mailbox', async function (this: GenroWorld) {
  await stored(this).readBack("the proxy's settings", 'all of them, and those of the bounce mailbox');
});

Then('none of these answers contains the password or the token', function (this: GenroWorld) {
  stored(this).assertNoAnswerHoldsAny(['password', 'token'], 4);
});

Given('a tenant with an S3 storage whose secret key is known only to the operator', async function (this: GenroWorld) {
  await stored(this).addS3StorageWithSecret();
});

When('the application reads the storage back: as added, by its name, and in the tenant\'s list of storages', async function (this: GenroWorld) {
  await stored(this).readBack('the storage', "as added, by its name, and in the tenant's list of storages");
});

Then('none of these answers contains the secret key', function (this: GenroWorld) {
  stored(this).assertNoAnswerHolds('secret key');
});

// ------------------------------------------------------------------ deleting and adding for the right tenant

When('the operator deletes for {word} the messages {string} and {string} and one that never existed', async function (this: GenroWorld, name: string, own: string, other: string) {
  await keys(this).bulkDelete(name, own, other, 'never-existed');
});

Then('the answer says {string} was removed, {string} is not {word}\'s and the other was not found', function (this: GenroWorld, own: string, other: string, _name: string) {
  keys(this).assertBulkDeleteAnswer([own], [other], ['never-existed']);
});

Then('{word} no longer has the message {string}', async function (this: GenroWorld, name: string, alias: string) {
  expect(await keys(this).listedIdsOf(name), `ids in ${name}'s message list`).to.not.include(this.messageId(alias));
});

When('the application adds an SMTP account for a tenant that does not exist', async function (this: GenroWorld) {
  await input(this).addAccountForUnknownTenant();
});

Then('the call is refused with a JSON error that names the tenant', function (this: GenroWorld) {
  input(this).assertRefusedNamingTenant();
});

When('the application submits the message {string} with the priority {int}', async function (this: GenroWorld, alias: string, priority: number) {
  await input(this).submitRecorded(alias, { priority });
});

Then('the proxy refuses {string} at once or sends it, and does not leave it waiting', async function (this: GenroWorld, alias: string) {
  await input(this).assertRefusedOrSent(alias);
});
