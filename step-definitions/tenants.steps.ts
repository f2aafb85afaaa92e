import { Given, Then, When } from '@cucumber/cucumber';
import { Batches } from '../support/capabilities/batches.js';
import { Tenants } from '../support/capabilities/tenants.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// Tenants, their accounts and batches, and the proxy's send loop.

const tenants = (world: GenroWorld) => world.use(Tenants.forScenario);

Given('a tenant with an SMTP account on the mail sink', async function (this: GenroWorld) {
  await this.createTenant();
  await this.createSinkAccount();
});

Given('the proxy holds messages until it is asked to run', async function (this: GenroWorld) {
  await this.useTestModeProxy();
});

Given('the account sends {int} message(s) per cycle', async function (this: GenroWorld, batchSize: number) {
  await this.createSinkAccount({ batch_size: batchSize });
});

Given('the batch {string} is suspended', async function (this: GenroWorld, batch: string) {
  await this.use(Batches.forScenario).suspendBatch(batch);
});

When('the batch {string} is activated', async function (this: GenroWorld, batch: string) {
  await this.use(Batches.forScenario).activateBatch(batch);
});

When(/^the application asks the proxy to run now( for the tenant)?(?:, with the operator's token)?$/, async function (this: GenroWorld, forTenant?: string) {
  await this.proxy.instance.runNow(forTenant ? this.tenantId : undefined);
});

Given(/^the tenant is switched (off|on again)$/, async function (this: GenroWorld, state: string) {
  await tenants(this).switch(state !== 'off');
});

Given('the tenant has a storage {string} on the local disk', async function (this: GenroWorld, name: string) {
  await tenants(this).addLocalStorage(name);
});

When('the application deletes the tenant', async function (this: GenroWorld) {
  await tenants(this).deleteTenant();
});

Then('the tenant has no accounts and no messages left', async function (this: GenroWorld) {
  await tenants(this).assertTenantEmpty();
});

Then('the tenant has no storages left', async function (this: GenroWorld) {
  await tenants(this).assertNoStoragesLeft();
});
