import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { ApiInput } from '../support/capabilities/api-input.js';
import { OwnProxy } from '../support/capabilities/own-proxy.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const own = (world: GenroWorld) => world.use(OwnProxy.forScenario);
const input = (world: GenroWorld) => world.use(ApiInput.forScenario);

Given('an empty PostgreSQL database', async function (this: GenroWorld) {
  await own(this).freshPostgresDatabase();
  expect(await own(this).postgresTables(), 'tables in the new database').to.deep.equal([]);
});

Given('a PostgreSQL database whose tables were created beforehand in dependency order, to work around the known start-up defect', async function (this: GenroWorld) {
  await own(this).freshPostgresDatabase();
  const created = await own(this).createTablesInDependencyOrder();
  expect(await own(this).postgresTables(), 'tables in the database').to.include.members(created);
});

When('a proxy is started on that database', async function (this: GenroWorld) {
  await own(this).tryStart({ label: 'pg-empty' });
});

Given('a proxy of its own on that database', async function (this: GenroWorld) {
  await own(this).start({ label: 'pg' });
});

Then('the proxy is ready and answers its health check', async function (this: GenroWorld) {
  const { startError } = own(this);
  if (startError) throw new Error(`the proxy did not start on the empty database: ${startError.message}`);
  expect(await this.proxy.health()).to.deep.equal({ status: 'ok' });
});

When('the application submits the message {string} scheduled for the first of January {int}', async function (this: GenroWorld, alias: string, year: number) {
  await input(this).submitRecorded(alias, { deferred_ts: Date.UTC(year, 0, 1) / 1000 });
});

Then('the proxy accepts the message {string} and holds it until then', async function (this: GenroWorld, alias: string) {
  await input(this).assertAcceptedAndHeld(alias);
});
