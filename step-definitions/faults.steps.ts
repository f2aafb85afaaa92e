import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { FaultInjection } from '../support/capabilities/faults.js';
import { RefusingSmtpServer } from '../support/partners/refusing-smtp-server.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const faults = (world: GenroWorld) => world.use(FaultInjection.forScenario);

Given('a tenant whose SMTP account points at a mail server that refuses every message with code {int}', async function (this: GenroWorld, code: number) {
  await this.createTenant();
  await faults(this).accountOnRefusingServer(code);
});

Given('its SMTP account points at a mail server that refuses every message with code {int}', async function (this: GenroWorld, code: number) {
  await faults(this).accountOnRefusingServer(code);
});

Given('the mail sink refuses every sender with code {int}', async function (this: GenroWorld, code: number) {
  await faults(this).refuseSenders(code);
});

When('the mail sink accepts mail again', async function (this: GenroWorld) {
  await faults(this).acceptAgain();
});

Given('a tenant whose SMTP account points at a mail server that refuses unknown recipients', async function (this: GenroWorld) {
  await this.createTenant();
  await faults(this).accountOnStrictSink();
});

Given('the mail server does not know {string}', function (this: GenroWorld, person: string) {
  this.unknownRecipients.add(person);
});

Given('a tenant whose SMTP account points at a mail server that is down', async function (this: GenroWorld) {
  await this.createTenant();
  await faults(this).accountOnDownServer();
});

When('the mail server comes back', async function (this: GenroWorld) {
  await faults(this).bringServerBack();
});

Given('a tenant whose SMTP account asks for TLS from a mail server that offers none', async function (this: GenroWorld) {
  await this.createTenant();
  await faults(this).accountAskingTlsFromPlainServer();
});

Then('the mail server saw exactly {int} delivery attempt(s) for {string}', async function (this: GenroWorld, count: number, alias: string) {
  await this.finalRecord(alias);
  await this.use(RefusingSmtpServer.forScenario).expectAttempts(this.address(`${alias}-recipient`), count, this.retryWindowMs);
});

Then('the mail {string} is delivered after the retry delay', async function (this: GenroWorld, alias: string) {
  await this.deliveredMail(alias, this.retryTimeoutMs);
  await this.expectDeliveredAfterRetryDelay(alias);
});
