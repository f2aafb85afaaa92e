import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { OwnProxy } from '../support/capabilities/own-proxy.js';
import { Persistence } from '../support/capabilities/persistence.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// Restarts, and starting a proxy of the scenario's own. A scenario tagged @own-proxy or
// @own-proxy-on-postgresql gets its own proxy before its first step (support/cucumber/tagged-hooks.ts).

const own = (world: GenroWorld) => world.use(OwnProxy.forScenario);

When('the proxy restarts', async function (this: GenroWorld) {
  await own(this).restart();
});

Then('the restart was over before the message {string} was due', async function (this: GenroWorld, alias: string) {
  await this.use(Persistence.forScenario).assertRestartedBeforeDue(alias);
});

When('the proxy is stopped', async function (this: GenroWorld) {
  await this.session.provider.mainProxy.stop();
});

When('the proxy starts again', async function (this: GenroWorld) {
  this.restartedAt = Date.now();
  await this.session.provider.mainProxy.restart();
});

Given('an empty PostgreSQL database', async function (this: GenroWorld) {
  await own(this).freshPostgresDatabase();
  expect(await own(this).postgresTables(), 'tables in the new database').to.deep.equal([]);
});

When('a proxy is started on that database', async function (this: GenroWorld) {
  await own(this).tryStart({ label: 'pg-empty' });
});

Then('the proxy is ready and answers its health check', async function (this: GenroWorld) {
  await own(this).assertReadyAsOnSqlite();
});
