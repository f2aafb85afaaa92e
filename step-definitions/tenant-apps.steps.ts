import { Given, Then, When } from '@cucumber/cucumber';
import { Answers } from '../support/capabilities/answers.js';
import { Batches } from '../support/capabilities/batches.js';
import { TenantKeys } from '../support/capabilities/tenant-keys.js';
import { TenantReports } from '../support/capabilities/tenant-reports.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// A tenant's sending held and let go, a held message corrected, a tenant's new key, and
// tenants whose applications each get their own delivery reports.

const batches = (world: GenroWorld) => world.use(Batches.forScenario);
const apps = (world: GenroWorld) => world.use(TenantReports.forScenario);
const keys = (world: GenroWorld) => world.use(TenantKeys.forScenario);

Given('all of the tenant\'s sending is suspended', async function (this: GenroWorld) {
  await batches(this).suspendTenant();
});

When('all of the tenant\'s sending is activated again', async function (this: GenroWorld) {
  await batches(this).activateTenant();
});

When('the application submits {string} again in the batch {string}, with the subject {string}', async function (this: GenroWorld, alias: string, batch: string, subject: string) {
  await batches(this).resubmitWithSubject(alias, batch, subject);
});

Then('the mail {string} is delivered once, with the subject it was last submitted with', async function (this: GenroWorld, alias: string) {
  await batches(this).assertOnlyLastVersionDelivered(alias);
});

When('the operator gives {word} a new key', async function (this: GenroWorld, name: string) {
  await keys(this).giveNewKey(name);
});

When('{word}, with its old key, asks for its own accounts', async function (this: GenroWorld, name: string) {
  this.use(Answers.forScenario).reset();
  await keys(this).listOwnAccountsWithOldKey(name);
});

Given('the tenants {string} and {string}, each with an SMTP account and an application that receives its delivery reports', async function (this: GenroWorld, first: string, second: string) {
  await apps(this).setUp(first);
  await apps(this).setUp(second);
});

When('{word} submits the message {string} and {word} submits the message {string}', async function (this: GenroWorld, first: string, firstAlias: string, second: string, secondAlias: string) {
  await apps(this).submit(first, firstAlias);
  await apps(this).submit(second, secondAlias);
});

Then('{word}\'s application receives a delivery report for {string} and none for {string}', async function (this: GenroWorld, name: string, own: string, other: string) {
  await apps(this).assertHearsOnlyOwn(name, own, other);
});
