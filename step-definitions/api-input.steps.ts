import { Then, When } from '@cucumber/cucumber';
import { ApiInput } from '../support/capabilities/api-input.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// What the API answers to input at its edges: a missing field, a wrong value, something
// that does not exist, a time far ahead. Never a crash.

const input = (world: GenroWorld) => world.use(ApiInput.forScenario);

When('the application adds an account without its {string}', async function (this: GenroWorld, field: string) {
  await input(this).addAccountWithout(field);
});

Then('the call is refused as invalid, naming the field {string}', function (this: GenroWorld, field: string) {
  input(this).assertRefusedAsInvalid(field);
});

When('the application asks for a tenant, an account and a message that do not exist', async function (this: GenroWorld) {
  await input(this).askForNothing();
});

Then('every one of these calls is answered "not found", with an error the application can read', function (this: GenroWorld) {
  input(this).assertAllNotFound();
});

When('the application submits the messages {string} and {string} in one batch, {string} with the priority {string}', async function (this: GenroWorld, first: string, second: string, invalid: string, priority: string) {
  await input(this).submitWithBadPriority([first, second], invalid, priority);
});

Then('the proxy keeps exactly the messages its answer says it queued', async function (this: GenroWorld) {
  await input(this).assertKeptAsAnswered();
});

Then('the answer says that {string} is invalid', function (this: GenroWorld, alias: string) {
  input(this).assertRejected(alias);
});

When('the application adds an SMTP account for a tenant that does not exist', async function (this: GenroWorld) {
  await input(this).addAccountForUnknownTenant();
});

Then('the call is refused with an error the application can read, naming the tenant', function (this: GenroWorld) {
  input(this).assertRefusedNamingTenant();
});

Then('no account is stored for that tenant', async function (this: GenroWorld) {
  await input(this).assertNoAccountStored();
});

When('the application submits the message {string} with the priority {int}', async function (this: GenroWorld, alias: string, priority: number) {
  await input(this).submitRecorded(alias, { priority });
});

Then('the proxy refuses {string} at once or sends it, and does not leave it waiting', async function (this: GenroWorld, alias: string) {
  await input(this).assertRefusedOrSent(alias);
});

When('the application submits the message {string} scheduled for the first of January {int}', async function (this: GenroWorld, alias: string, year: number) {
  await input(this).submitRecorded(alias, { deferred_ts: Date.UTC(year, 0, 1) / 1000 });
});

Then('the proxy accepts the message {string} and holds it until then', async function (this: GenroWorld, alias: string) {
  await input(this).assertAcceptedAndHeld(alias);
});
