import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { GenroWorld } from '../support/cucumber/world.js';

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
  await this.proxy.tenants.suspendBatch(this.tenantId!, this.batchCode(batch));
});

When('the batch {string} is activated', async function (this: GenroWorld, batch: string) {
  await this.proxy.tenants.activateBatch(this.tenantId!, this.batchCode(batch));
});

When('the application asks the proxy to run now', async function (this: GenroWorld) {
  await this.proxy.instance.runNow();
});

Given('the tenant is switched off', async function (this: GenroWorld) {
  await this.proxy.tenants.update(this.tenantId!, { active: false });
  expect((await this.proxy.tenants.get(this.tenantId!)).active, 'the tenant\'s "active", read back').to.equal(false);
});

When('the tenant is switched on again', async function (this: GenroWorld) {
  await this.proxy.tenants.update(this.tenantId!, { active: true });
});

Then('the mail {string} is not delivered while the tenant is off', async function (this: GenroWorld, alias: string) {
  await this.assertNotDelivered(alias);
});
