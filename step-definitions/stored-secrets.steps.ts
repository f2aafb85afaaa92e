import { Given, Then, When } from '@cucumber/cucumber';
import { StoredSecrets } from '../support/capabilities/stored-secrets.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// Secrets the proxy stores never come back in what the API reads out.

const stored = (world: GenroWorld) => world.use(StoredSecrets.forScenario);

Given('a tenant with an SMTP account that logs in with a user and a password', async function (this: GenroWorld) {
  await stored(this).addAccountWithPassword();
});

Given('a tenant with a PEC account that reads its receipts over IMAP with a password', async function (this: GenroWorld) {
  await stored(this).addPecAccountWithPassword();
});

Given('a tenant whose delivery reports are sent with a bearer token', async function (this: GenroWorld) {
  await stored(this).addTenantWithReportToken();
});

Given('the operator has stored a token and the password of the bounce mailbox in the proxy\'s settings', async function (this: GenroWorld) {
  await stored(this).storeInstanceSecrets();
});

Given('a tenant with an S3 storage whose secret key is known only to the operator', async function (this: GenroWorld) {
  await stored(this).addS3StorageWithSecret();
});

/** "the account", "the tenant acme", "the proxy's settings", ...: what is read, and how, is checked against StoredSecrets. */
When(/^the application reads (.+) back: (.+)$/, async function (this: GenroWorld, what: string, how: string) {
  await stored(this).readBack(what, how);
});

Then(/^none of these answers contains the (password or the token|password|token|secret key)$/, function (this: GenroWorld, secret: string) {
  if (secret === 'password or the token') stored(this).assertNoAnswerHoldsAny(['password', 'token'], 4);
  else stored(this).assertNoAnswerHolds(secret);
});

Then('none of these answers contains {word}\'s key, nor a digest of it', function (this: GenroWorld, name: string) {
  stored(this).assertNoKeyMaterial(name);
});

Then('the proxy still logs in with that password when it sends through the account', async function (this: GenroWorld) {
  await stored(this).assertStillLogsIn();
});

Then('the tenant\'s delivery reports still carry that token', async function (this: GenroWorld) {
  await stored(this).assertReportsStillCarryToken();
});
