import { Given, Then, When } from '@cucumber/cucumber';
import { DeliveryReports } from '../support/capabilities/delivery-reports.js';
import { ReportAnswers } from '../support/capabilities/report-answers.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// What the application answers to delivery reports, and when the proxy calls it (features/report-answers.feature).

const answers = (world: GenroWorld) => world.use(ReportAnswers.forScenario);

When('the application accepts delivery reports again, but answers that it could not process {string}', function (this: GenroWorld, alias: string) {
  answers(this).acceptAllButFirstReportOf(alias);
});

Then('one delivery report tells the application of both {string} and {string}', async function (this: GenroWorld, first: string, second: string) {
  await answers(this).assertOneReportHoldsBoth(first, second);
});

Then('the application is told again of {string}, but not of {string}', async function (this: GenroWorld, resent: string, notRepeated: string) {
  await answers(this).assertResentOnly(resent, notRepeated);
});

Given('the application answers the next delivery report with "not ok"', function (this: GenroWorld) {
  answers(this).notOkToNextReport();
});

Then('since the report of {string} the proxy made no call to the application without a report in it', function (this: GenroWorld, alias: string) {
  answers(this).assertNoEmptyCallSinceReportOf(alias);
});

Then('the application receives a call with an empty delivery report', async function (this: GenroWorld) {
  await answers(this).assertEmptyCall();
});

Given('the tenant\'s delivery reports go to the application, which refuses them for now', async function (this: GenroWorld) {
  const reports = this.use(DeliveryReports.forScenario);
  await reports.sendToApplication('bearer token');
  reports.refuseReportsForNow();
});

Then('the application has refused the delivery reports of {string} and {string}', async function (this: GenroWorld, first: string, second: string) {
  const reports = this.use(DeliveryReports.forScenario);
  for (const alias of [first, second]) await reports.reportOf(alias, { answered: 'refused' });
});
