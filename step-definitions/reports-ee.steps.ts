import { Given } from '@cucumber/cucumber';
import { CallbackReceiver } from '../support/partners/callback-receiver.js';
import type { GenroWorld } from '../support/cucumber/world.js';

Given("the application's callback receives the tenant's delivery reports", async function (this: GenroWorld) {
  if (!this.tenantId) throw new Error('create a tenant before pointing its delivery reports at the callback');
  const url = await this.use(CallbackReceiver.forScenario).start(this.session.endpoints.callbackReceiver);
  await this.proxy.tenants.update(this.tenantId, { client_base_url: url });
});
