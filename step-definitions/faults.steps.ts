import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { attemptEvents } from '../support/clients/proxy-api.js';
import { FaultInjection, MAIL_SERVERS, mentionsCode, STARTTLS_UNSUPPORTED, UNKNOWN_RECIPIENT_REPLY } from '../support/capabilities/faults.js';
import { Persistence } from '../support/capabilities/persistence.js';
import { expectAsSubmitted } from '../support/mail/mail-expectations.js';
import { RefusingSmtpServer } from '../support/partners/refusing-smtp-server.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// Mail servers that refuse, fail for a while or are down, and how the proxy retries.

const faults = (world: GenroWorld) => world.use(FaultInjection.forScenario);

/** "a tenant whose SMTP account ..." makes the tenant; "the tenant's SMTP account ..." points the scenario's tenant's account. */
Given(new RegExp(`^(?:a tenant whose|the tenant's) SMTP account (${MAIL_SERVERS.source})$`), async function (this: GenroWorld, server: string) {
  await faults(this).pointAccountAt(server);
});

Given('the mail sink refuses every sender with code {int}', async function (this: GenroWorld, code: number) {
  await faults(this).refuseSenders(code);
});

When('the mail sink accepts mail again', async function (this: GenroWorld) {
  await faults(this).acceptAgain();
});

Given('the mail server does not know {string}', function (this: GenroWorld, person: string) {
  this.unknownRecipients.add(person);
});

When('the mail server comes back', async function (this: GenroWorld) {
  await faults(this).bringServerBack();
});

When('the account is pointed at the mail sink', async function (this: GenroWorld) {
  await this.use(Persistence.forScenario).pointAccountAtSink();
});

Then('the mail server saw exactly {int} delivery attempt(s) for {string}', async function (this: GenroWorld, count: number, alias: string) {
  await this.finalRecord(alias);
  await this.use(RefusingSmtpServer.forScenario).expectAttempts(this.address(`${alias}-recipient`), count, this.retryWindowMs);
});

Then('the message {string} fails at the first attempt, with an error that mentions {string}', async function (this: GenroWorld, alias: string, text: string) {
  const attempts = attemptEvents(await this.finalRecord(alias, this.retryTimeoutMs));
  expect(attempts.map((e) => `${e.event_type}: ${e.description}`), `delivery attempts of "${alias}"`).to.have.length.at.least(1);
  expect(attempts[0]!.event_type, `outcome of the first attempt of "${alias}" (${attempts[0]!.description})`).to.equal('error');
  // A bare code ("550") must stand as a number of its own, not inside an id or an address.
  if (/^\d{3}$/.test(text)) expect(mentionsCode(attempts[0]!.description ?? '', Number(text)), `error of "${alias}" (${attempts[0]!.description}) gives the code ${text}`).to.equal(true);
  else expect(attempts[0]!.description, `error of "${alias}"`).to.include(text);
  expect(attempts, `attempts of "${alias}": a permanent error is not retried`).to.have.length(1);
});

Then('the error of {string} gives the server\'s reply for {string}', async function (this: GenroWorld, alias: string, person: string) {
  const { error } = await this.finalRecord(alias, this.retryTimeoutMs);
  const { code, text } = UNKNOWN_RECIPIENT_REPLY;
  const address = this.address(person);
  expect({ address: (error ?? '').includes(address), code: mentionsCode(error ?? '', code), reply: (error ?? '').includes(text) }, `the error of "${alias}" (${error}): ${address}, ${code}, "${text}"`)
    .to.deep.equal({ address: true, code: true, reply: true });
});

Then('the message {string} ends in error, with an error that mentions {string}', async function (this: GenroWorld, alias: string, text: string) {
  const record = await this.finalRecord(alias, this.retryTimeoutMs);
  expect(record.status, `final status of "${alias}"`).to.equal('error');
  expect(record.error, `error of "${alias}"`).to.include(text);
});

Then('{string} fails at once, or after every retry, with the server\'s refusal to start TLS as its error', async function (this: GenroWorld, alias: string) {
  faults(this).assertGaveUp(alias, await this.finalRecord(alias, this.retryTimeoutMs), STARTTLS_UNSUPPORTED);
});

Then('the history of {string} shows a deferral with retry count {int} and a reason that mentions {string}', async function (this: GenroWorld, alias: string, count: number, text: string) {
  await faults(this).waitForDeferral(alias, count, text);
});

/**
 * The refusal is told where an application reads it: in the text (description) of an
 * event, which names the refused address with the server's code and reply. The message
 * stays sent, with one 'sent' event and no retry. (The strict sink refuses the address at
 * RCPT TO, so no copy can reach it; the one mail in the sink is alice's.)
 */
Then('the history of {string} shows that {string} was refused', async function (this: GenroWorld, alias: string, person: string) {
  const history = (await this.finalRecord(alias)).history ?? [];
  const address = this.address(person);
  const shown = JSON.stringify(history);
  const mentions = history.filter((e) => (e.description ?? '').includes(address));
  expect(mentions, `events of "${alias}" that mention the refused recipient ${address}; the history is ${shown}`).to.not.be.empty;
  const { code, text } = UNKNOWN_RECIPIENT_REPLY;
  expect(
    mentions.filter((e) => mentionsCode(e.description!, code) && e.description!.includes(text)).map((e) => e.description),
    `events of "${alias}" whose text gives ${address} with the server's reply (${code} ... ${text}); the history is ${shown}`,
  ).to.not.be.empty;
  expect(attemptEvents({ history }).map((e) => e.event_type), `delivery attempts of "${alias}": one send, no retry`).to.deep.equal(['sent']);
});

/**
 * The retry delivers the message once and as submitted, no earlier than the retry time of
 * the last deferral; before it, every attempt was deferred for `reason` (retry counts and
 * retry times as configured), and after it the message is 'sent' in both views, with one
 * 'sent' event and no error.
 */
Then('the mail {string} is delivered after the retry delay, each earlier attempt deferred for {string}', async function (this: GenroWorld, alias: string, reason: string) {
  const mail = await this.deliveredMail(alias, this.retryTimeoutMs);
  await this.assertDeliveredOnce(alias);
  expectAsSubmitted(this, alias, mail);
  await this.waitForStatus(alias, 'sent');
  const deferrals = faults(this).assertDeferredThenSent(alias, await this.record(alias, true), reason);
  const retryAt = deferrals.at(-1)!.metadata!.deferred_ts as number;
  const [summary] = await this.mailsFor(alias);
  // Mailpit's time has milliseconds, the retry time whole seconds.
  expect(Date.parse(summary!.Created) / 1000, `the time the sink received "${alias}" against the retry time of the last deferral (${retryAt})`).to.be.at.least(retryAt);
});

Then('the message {string} is delivered at its retry', async function (this: GenroWorld, alias: string) {
  await this.use(Persistence.forScenario).deliveredAtRetry(alias);
});

Then('the mail server refused the account\'s login in exactly {int} connection(s) and took no mail', async function (this: GenroWorld, logins: number) {
  await faults(this).assertLoginRefusedAndNoMail(logins);
});
