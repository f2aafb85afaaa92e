import { Given, Then, When } from '@cucumber/cucumber';
import { SENDING_LIMIT_STEP_TIMEOUT_MS } from '../support/base/timeouts.js';
import { SendingLimits, type LimitBehavior } from '../support/capabilities/sending-limits.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const limits = (world: GenroWorld) => world.use(SendingLimits.forScenario);
const behavior = (refuses: string | undefined): LimitBehavior => (refuses ? 'reject' : 'defer');

Given(/^a tenant whose SMTP account on the mail sink may send (\d+) messages? a minute(, and refuses the rest)?$/, async function (this: GenroWorld, perMinute: string, refuses?: string) {
  await limits(this).limitedAccount(Number(perMinute), behavior(refuses));
});

Given(/^the tenants "(\w+)" and "(\w+)", whose accounts of the same name may send (\d+) messages? a minute(, and refuse the rest)?$/, async function (this: GenroWorld, first: string, second: string, perMinute: string, refuses?: string) {
  await limits(this).sameAccountForTwoTenants([first, second], Number(perMinute), behavior(refuses));
});

When('the application submits {int} messages at once', async function (this: GenroWorld, count: number) {
  await limits(this).submitGroup(count);
});

When(/^(\w+) submits (\d+) messages at once(?:, within the same minute)?$/, async function (this: GenroWorld, name: string, count: string) {
  await limits(this).tenantSubmitsGroup(name, Number(count));
});

Then('{int} of them is/are delivered at once', async function (this: GenroWorld, count: number) {
  await limits(this).assertDeliveredAtOnce(count);
});

Then(/^the other (\d+) (are held back|fail), with the sending limit as the reason$/, async function (this: GenroWorld, count: string, outcome: string) {
  if (outcome === 'fail') await limits(this).assertOthersFail(Number(count));
  else await limits(this).assertOthersHeldBack(Number(count));
});

Then('they wait until the next whole minute of the proxy\'s clock', async function (this: GenroWorld) {
  await limits(this).assertHeldUntilTheNextMinute();
});

Then('they are delivered later, no more than {int} of all within any minute', { timeout: SENDING_LIMIT_STEP_TIMEOUT_MS }, async function (this: GenroWorld, perMinute: number) {
  await limits(this).assertRestDeliveredSpaced(perMinute);
});

Then('the message {string} fails, with the sending limit as the reason', async function (this: GenroWorld, alias: string) {
  await limits(this).assertFailsForTheLimit(alias);
});

Then('exactly {int} of {word} messages are delivered, each once, and the rest fail with the sending limit as the reason', async function (this: GenroWorld, limit: number, owner: string) {
  await limits(this).assertTenantGotItsLimit(owner.replace(/'s$/, ''), limit);
});
