import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { join } from 'node:path';
import { Bounces } from '../support/capabilities/bounces.js';
import { BOUNCE_POLLS, bounceStepTimeoutMs } from '../support/base/timeouts.js';
import { ROOT } from '../support/base/config.js';
import { loadCsvScenarios } from '../support/mail/csv-fixture.js';
import { scenarioMessageId } from '../support/mail/mail-expectations.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const bounces = (world: GenroWorld) => world.use(Bounces.forScenario);
/** Steps that wait for the proxy to poll: BOUNCE_POLLS polls, plus time for the step's own calls. */
const pollStep = { timeout: bounceStepTimeoutMs() };
/** The CSV step waits for each row in turn. */
const csvPollStep = { timeout: bounceStepTimeoutMs(3 * BOUNCE_POLLS) };

Given("the proxy reads bounces from the scenario's bounce mailbox", async function (this: GenroWorld) {
  await bounces(this).configure();
});

Then('the bounce settings read back as configured, without the password', async function (this: GenroWorld) {
  await bounces(this).assertConfigured();
});

/** A hard, soft, quota or plain-text bounce for a message (or for one the proxy never sent), or an out-of-office reply. */
When(/^(an? [\w-]+ bounce for (?:"[^"]*"|a message the proxy never sent)|an out-of-office reply to "[^"]*") arrives in the bounce mailbox$/, async function (this: GenroWorld, mail: string) {
  await bounces(this).arrives(mail);
});

Then('the proxy reads {string} from the bounce mailbox', pollStep, async function (this: GenroWorld, name: string) {
  await bounces(this).waitUntilRead(name);
});

Then('{string} stays in the inbox of the bounce mailbox, not deleted', async function (this: GenroWorld, name: string) {
  const state = await bounces(this).mailState(name);
  expect(state.folders.map((f) => ({ folder: f.folder, deleted: f.flags.includes('\\Deleted') })), `where "${name}" is now`).to.deep.equal([{ folder: 'INBOX', deleted: false }]);
});

Then('the message {string} is recorded as a {word} bounce with the code {string} and the remote server\'s reply', pollStep, async function (this: GenroWorld, alias: string, type: string, code: string) {
  const desk = bounces(this);
  const injected = desk.verdict(alias);
  expect({ type: injected.type, code: injected.code }, 'the bounce this scenario injected').to.deep.equal({ type, code });
  const recorded = await desk.assertBounceRecordedOnce(alias);
  expect({ type: recorded.type, code: recorded.code }, `the bounce recorded on "${alias}"`).to.deep.equal({ type, code });
  expect(recorded.reason, `the reason recorded on "${alias}"`).to.be.a('string').that.includes(injected.diagnostic);
});

Then('the bounce recorded on {string} names the recipient that bounced and the remote mail server that refused it', pollStep, async function (this: GenroWorld, alias: string) {
  await bounces(this).assertBounceNamesRecipientAndRemote(alias);
});

Then('the message {string} has no bounce', pollStep, async function (this: GenroWorld, alias: string) {
  await bounces(this).assertNoBounce(alias);
});

Then('the application receives a {word} bounce report for {string} with the code {string} and the remote server\'s reply', pollStep, async function (this: GenroWorld, type: string, alias: string, code: string) {
  const desk = bounces(this);
  const item = await desk.assertBounceReportedOnce(alias);
  expect(item, `the bounce report for "${alias}"`).to.deep.include({ id: this.message(alias).id, bounce_type: type, bounce_code: code });
  expect(item.bounce_reason, 'bounce_reason').to.be.a('string').that.includes(desk.verdict(alias).diagnostic);
});

// ------------------------------------------------------------------ CSV cases

Given('the bounce cases in {string}', function (this: GenroWorld, file: string) {
  this.csvCases = loadCsvScenarios(join(ROOT, 'features', 'fixtures', file), { allowBounces: true });
  expect(this.csvCases.filter((row) => row.simulateBounce === null).map((row) => row.id), 'rows without simulate_bounce').to.deep.equal([]);
});

When('the application submits every bounce case with its own Message-ID', async function (this: GenroWorld) {
  await this.submit(this.csvCases.map((row) => ({
    alias: row.id,
    message: this.draft(row.id, {
      from: this.resolveAddress(row.from),
      to: row.to.map((t) => this.resolveAddress(t)),
      subject: row.subject,
      body: row.body,
      message_id: scenarioMessageId(this, row.id),
    }),
  })));
});

When('the bounce each case names arrives in the bounce mailbox', async function (this: GenroWorld) {
  for (const row of this.csvCases) await bounces(this).injectBounce(row.simulateBounce!, row.id);
});

Then('every case is recorded as the bounce its row names', csvPollStep, async function (this: GenroWorld) {
  const desk = bounces(this);
  for (const row of this.csvCases) {
    const recorded = await desk.assertBounceRecordedOnce(row.id);
    const injected = desk.verdict(row.id);
    expect({ type: recorded.type, code: recorded.code }, `row ${row.id} (line ${row.line}): the bounce recorded`).to.deep.equal({ type: row.simulateBounce, code: injected.code });
    expect(recorded.reason, `row ${row.id}: the reason recorded`).to.be.a('string').that.includes(injected.diagnostic);
  }
});

// ------------------------------------------------------------------ the bounce on the message

Then('the message {string} shows as "bounced" in the message details and in the message list', pollStep, async function (this: GenroWorld, alias: string) {
  await bounces(this).waitForBouncedStatus(alias);
});

Then('the message details of {string} show a {word} bounce, the remote server\'s reply and when the bounce came', async function (this: GenroWorld, alias: string, type: string) {
  await bounces(this).assertBounceFields(alias, type);
});

Then('the mail {string} carries the proxy\'s tracking mark, naming the message by the application\'s id', async function (this: GenroWorld, alias: string) {
  await bounces(this).assertTrackingMark(alias);
});
