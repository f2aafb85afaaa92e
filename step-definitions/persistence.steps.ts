import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { OwnProxy } from '../support/capabilities/own-proxy.js';
import { Persistence } from '../support/capabilities/persistence.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const own = (world: GenroWorld) => world.use(OwnProxy.forScenario);
const persistence = (world: GenroWorld) => world.use(Persistence.forScenario);

Given('a proxy of its own for this scenario', async function (this: GenroWorld) {
  await own(this).start({ label: 'own' });
});

Given('a proxy of its own for this scenario, which waits {int} seconds before retrying a delivery', async function (this: GenroWorld, seconds: number) {
  await own(this).start({ label: 'own-retry', retryDelays: [seconds, seconds] });
});

When('the proxy restarts', async function (this: GenroWorld) {
  await own(this).restart();
});

Then('the restart was over before the message {string} was due', async function (this: GenroWorld, alias: string) {
  await persistence(this).assertRestartedBeforeDue(alias);
});

Given('a tenant with an SMTP account whose mail server does not answer', async function (this: GenroWorld) {
  await persistence(this).unreachableAccount();
});

When('the account is pointed at the mail sink', async function (this: GenroWorld) {
  await persistence(this).pointAccountAtSink();
});

Then('the message {string} is delivered at its retry', async function (this: GenroWorld, alias: string) {
  await persistence(this).deliveredAtRetry(alias);
});

Given('a tenant whose delivery reports go to the application, with an SMTP account on the mail sink', async function (this: GenroWorld) {
  await persistence(this).reportingTenant();
});

Given('the application refuses delivery reports for now', function (this: GenroWorld) {
  persistence(this).receiver.answerAlways({ status: 503, body: { error: 'the application is down' } });
});

When('the application accepts delivery reports again', function (this: GenroWorld) {
  persistence(this).receiver.answerAlways({ status: 200, body: { ok: true } });
});

Then('the application has refused the delivery report of {string}', async function (this: GenroWorld, alias: string) {
  await persistence(this).reportOf(alias, { answered: 'refused' });
});

Then('the application receives the delivery report of {string}', async function (this: GenroWorld, alias: string) {
  await persistence(this).reportOf(alias, { answered: 'accepted' });
});

Then('the application receives the delivery report of {string} from the restarted proxy', async function (this: GenroWorld, alias: string) {
  const restart = own(this).lastRestart;
  if (!restart) throw new Error('the proxy has not been restarted in this scenario');
  await persistence(this).reportOf(alias, { answered: 'accepted', after: restart.stopped });
});

Then('the proxy records the delivery report of {string} as acknowledged', async function (this: GenroWorld, alias: string) {
  await persistence(this).assertAcknowledged(alias);
});

When('the application deletes the tenant', async function (this: GenroWorld) {
  await persistence(this).deleteTenant();
});

Given('the tenant has a storage {string} on the local disk', async function (this: GenroWorld, name: string) {
  await persistence(this).addLocalStorage(name);
});

Then('the tenant has no storages left', async function (this: GenroWorld) {
  await persistence(this).assertNoStoragesLeft();
});

Then('the tenant has no accounts and no messages left', async function (this: GenroWorld) {
  await persistence(this).assertTenantEmpty();
});

Then('the mail {string} is not delivered, not even after its scheduled time', async function (this: GenroWorld, alias: string) {
  await persistence(this).assertNeverDelivered(alias);
});

When('the application cleans up the messages reported more than a day ago', async function (this: GenroWorld) {
  await persistence(this).cleanup();
});

When('the application cleans up every message already reported', async function (this: GenroWorld) {
  await persistence(this).cleanupEverythingReported();
});

Then('the cleanup removed {int} message(s)', function (this: GenroWorld, count: number) {
  expect(persistence(this).lastCleanup, 'the answer to the clean-up').to.deep.equal({ ok: true, removed: count });
});

Then('the message list no longer shows {string}', async function (this: GenroWorld, alias: string) {
  expect(await persistence(this).listedIds(), 'ids in the message list').to.not.include(this.message(alias).id);
});

Then('the message list still shows {string} and {string}', async function (this: GenroWorld, first: string, second: string) {
  expect(await persistence(this).listedIds(), 'ids in the message list').to.include.members([this.message(first).id, this.message(second).id]);
});
