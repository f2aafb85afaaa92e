import { Given, Then, When } from '@cucumber/cucumber';
import { DeliveryReports, type ReportAuth } from '../support/capabilities/delivery-reports.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// The delivery reports the proxy sends to the application, and how the application answers them.

const reports = (world: GenroWorld) => world.use(DeliveryReports.forScenario);

Given(/^the tenant's delivery reports go to the application(?:, with a (bearer token)|, on its own path with (basic authentication))?$/, async function (this: GenroWorld, bearer?: string, basic?: string) {
  const auth: ReportAuth = bearer ? 'bearer token' : basic ? 'basic authentication on its own path' : 'none';
  await reports(this).sendToApplication(auth);
});

Given(/^the application refuses (the next delivery report|delivery reports for now)$/, function (this: GenroWorld, which: string) {
  if (which === 'the next delivery report') reports(this).refuseNextReport();
  else reports(this).refuseReportsForNow();
});

When('the application accepts delivery reports again', function (this: GenroWorld) {
  reports(this).acceptReportsAgain();
});

Given('the application answers delivery reports with a plain-text OK', function (this: GenroWorld) {
  reports(this).answerWithPlainTextOk();
});

Given('the application asks for one hour of quiet time in its answers', function (this: GenroWorld) {
  reports(this).askForQuietTime(3600);
});

Given('the message {string} was sent, and the application acknowledged its delivery report', async function (this: GenroWorld, alias: string) {
  await reports(this).sentAndAcknowledged(alias);
});

Given('the message {string} was delivered, but the application refused its delivery report', async function (this: GenroWorld, alias: string) {
  await reports(this).deliveredButRefused(alias);
});

Then(/^the application receives a delivery report for "([^"]*)"( again| again, after the proxy started)?$/, async function (this: GenroWorld, alias: string, again?: string) {
  await reports(this).waitForReport(alias, again === ' again' ? 'again' : again ? 'again after the restart' : 'first');
});

Then(/^the application has (accepted|refused) a delivery report for "([^"]*)"(, from the restarted proxy)?$/, async function (this: GenroWorld, answered: 'accepted' | 'refused', alias: string, restarted?: string) {
  if (restarted) await reports(this).acceptedFromRestartedProxy(alias);
  else await reports(this).reportOf(alias, { answered });
});

Then('the proxy records the delivery report for {string} as acknowledged', async function (this: GenroWorld, alias: string) {
  await reports(this).assertAcknowledged(alias);
});

Then(/^no (further )?delivery report for "([^"]*)" arrives( during the quiet time)?$/, async function (this: GenroWorld, further: string | undefined, alias: string, quiet?: string) {
  if (quiet) await reports(this).assertQuietTime(alias);
  else await reports(this).assertNoReport(alias, further ? 'further' : 'at all');
});

When('the tenant asks the proxy to run now, with its own key', async function (this: GenroWorld) {
  await reports(this).runNowWithTenantKey();
});

Then('the application is told once that {string} was sent, with its id and the time it was sent', async function (this: GenroWorld, alias: string) {
  await reports(this).assertSentReportedOnce(alias);
});

Then('the outcome of {string} stays unreported', async function (this: GenroWorld, alias: string) {
  await reports(this).assertUnreported(alias);
});

Then(/^the report for "([^"]*)" came to (the standard sync path with the tenant's bearer token|the tenant's own path with its basic credentials)$/, function (this: GenroWorld, alias: string, where: string) {
  if (where.startsWith('the standard')) reports(this).assertCameToStandardPathWithBearerToken(alias);
  else reports(this).assertCameToOwnPathWithBasicCredentials(alias);
});

Then(/^the report for "([^"]*)" says it (was sent|failed|was deferred), with (.+), and nothing else$/, async function (this: GenroWorld, alias: string, outcome: string, parts: string) {
  await reports(this).assertReportHolds(alias, outcome, parts);
});

Then('the time in the report for {string} is the time it was sent', async function (this: GenroWorld, alias: string) {
  await reports(this).assertTimeIsWhenSent(alias);
});

Then(/^the (error|reason) in the report for "([^"]*)" mentions "([^"]*)"$/, function (this: GenroWorld, what: 'error' | 'reason', alias: string, text: string) {
  reports(this).assertMentions(alias, what, text);
});

Then('the proxy shows the tenant in quiet time', async function (this: GenroWorld) {
  await reports(this).assertTenantInQuietTime();
});

Then('the application is told once that {string} failed, with the error and the time the message list gives', async function (this: GenroWorld, alias: string) {
  await reports(this).assertFailureReportedOnce(alias);
});

Then('the proxy makes no call to the application, which is in quiet time with nothing new to report', async function (this: GenroWorld) {
  await reports(this).assertNoCallForAQuietPeriod();
});

Then('the proxy calls the application at once, though it asked for quiet time', async function (this: GenroWorld) {
  await reports(this).assertCalledSinceRunNow();
});
