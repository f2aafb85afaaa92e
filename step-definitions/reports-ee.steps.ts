import { Given } from '@cucumber/cucumber';
import { CallbackReceiverEE } from '../support/callback-receiver-ee.js';
import type { GenroWorld } from '../support/world.js';

Given("the application's callback receives the tenant's delivery reports", async function (this: GenroWorld) {
  if (!this.tenantId) throw new Error('create a tenant before pointing its delivery reports at the callback');
  const receiver = CallbackReceiverEE.forScenario(this);
  await this.proxy.tenants.update(this.tenantId, { client_base_url: await receiver.baseUrlFor(this.sid) });
});
