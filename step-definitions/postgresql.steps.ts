import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { Access } from '../support/capabilities/access.js';
import { OwnProxy } from '../support/capabilities/own-proxy.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const own = (world: GenroWorld) => world.use(OwnProxy.forScenario);
const access = (world: GenroWorld) => world.use(Access.forScenario);

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
  const message = this.draft(alias, { deferred_ts: Date.UTC(year, 0, 1) / 1000 });
  this.messages.set(alias, message);
  access(this).reset();
  await access(this).call(this.proxy, 'POST', '/messages/add_batch', { json: { messages: [message] } });
});

Then('the proxy accepts the message {string} and holds it until then', async function (this: GenroWorld, alias: string) {
  const answer = access(this).last;
  expect(Access.describe(answer), `the answer to the submission of "${alias}"`).to.equal('POST /messages/add_batch: HTTP 200 application/json');
  expect(answer.body, 'the answer').to.deep.include({ queued: 1, rejected: [] });
  const record = await this.record(alias);
  expect({ status: record.status, deferred_ts: record.deferred_ts }).to.deep.equal({ status: 'deferred', deferred_ts: this.message(alias).deferred_ts });
});
