import { Given, Then, When } from '@cucumber/cucumber';
import { TenantAdmin } from '../support/capabilities/tenant-admin.js';
import { TenantKeys } from '../support/capabilities/tenant-keys.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// A tenant saved again, an account deleted, reports sent without credentials.

const admin = (world: GenroWorld) => world.use(TenantAdmin.forScenario);

Given('the operator has created the tenant {word}, which got its key', async function (this: GenroWorld, name: string) {
  await this.use(TenantKeys.forScenario).createTenant(name);
});

When('the operator saves {word} again, with the name {string}', async function (this: GenroWorld, name: string, newName: string) {
  await admin(this).saveAgainWithName(name, newName);
});

Then('the answer hands out no key, and {word} is now named {string}', async function (this: GenroWorld, name: string, newName: string) {
  await admin(this).assertSavedWithoutNewKey(name, newName);
});

Then('{word}, with the key it got when it was created, can still list its own accounts', async function (this: GenroWorld, name: string) {
  await admin(this).assertKeyStillWorks(name);
});

Given('the tenant has a second SMTP account {string} on the mail sink', async function (this: GenroWorld, name: string) {
  await admin(this).addSecondAccount(name);
});

When('the application deletes the account {string}', async function (this: GenroWorld, name: string) {
  await admin(this).deleteAccount(name);
});

Then('the tenant\'s account list shows only its first account', async function (this: GenroWorld) {
  await admin(this).assertOnlyFirstAccountListed();
});

Given('the tenant\'s delivery reports go to the application, which needs no credentials', async function (this: GenroWorld) {
  await admin(this).reportsWithoutCredentials();
});

Then('the delivery reports of {string} came without credentials', function (this: GenroWorld, alias: string) {
  admin(this).assertReportsCameWithoutCredentials(alias);
});
