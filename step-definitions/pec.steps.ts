import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { pecReceiptOnceStepTimeoutMs, pecReceiptStepTimeoutMs } from '../support/base/timeouts.js';
import { PEC_ACCEPTANCE_TIMEOUT_S } from '../support/capabilities/operator.js';
import { Pec } from '../support/capabilities/pec.js';
import { PEC_RECEIPT_KINDS, type PecReceiptKind } from '../support/mail/pec-receipts.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const pec = (world: GenroWorld) => world.use(Pec.forScenario);
/** Steps that wait for receipts: one PEC poll plus the margin, plus time for the step's own calls. */
const receiptStep = { timeout: pecReceiptStepTimeoutMs() };
/** Steps that wait for receipts and then watch one more poll for a repeat. */
const receiptOnceStep = { timeout: pecReceiptOnceStepTimeoutMs() };

function receiptKind(text: string): PecReceiptKind {
  if (!(PEC_RECEIPT_KINDS as readonly string[]).includes(text)) throw new Error(`no PEC receipt "${text}": use ${PEC_RECEIPT_KINDS.join(', ')}`);
  return text as PecReceiptKind;
}

Given("a tenant with a PEC account on the mail sink whose receipts arrive in the scenario's PEC mailbox", async function (this: GenroWorld) {
  await this.createTenant();
  await pec(this).addAccount();
});

When('a PEC account is added with its SMTP login and, of its IMAP settings, only the host', async function (this: GenroWorld) {
  await pec(this).addWithOnlyImapHost();
});

Then('the account reads back as a PEC account that reads the inbox over secure IMAP as its SMTP user', async function (this: GenroWorld) {
  await pec(this).assertUsualImapSettings();
});

Given("a tenant with a PEC account with no IMAP login, whose SMTP login is that of the scenario's PEC mailbox", async function (this: GenroWorld) {
  await this.createTenant();
  await pec(this).addWithSmtpLoginOfMailbox();
});

Then('the message {string} is marked as PEC in the message details and in the message list', async function (this: GenroWorld, alias: string) {
  const message = this.message(alias);
  const [record, list] = await Promise.all([this.proxy.messages.get(message.id, message.tenant_id), this.proxy.messages.list(message.tenant_id)]);
  expect({ details: record.is_pec, list: list.find((m) => m.id === message.id)?.is_pec }, `is_pec of "${alias}"`).to.deep.equal({ details: true, list: true });
});

When("the PEC provider's {string} receipt for {string} arrives in the PEC mailbox", async function (this: GenroWorld, kind: string, alias: string) {
  await pec(this).injectReceipt(receiptKind(kind), alias);
});

Then('the message {string} records the PEC event of the {string} receipt, and no other', receiptStep, async function (this: GenroWorld, alias: string, kind: string) {
  await pec(this).assertRecordedEvents(alias, [receiptKind(kind)], 'a moment');
});

Then('the message {string} records the PEC event of the {string} receipt, and no other for a whole poll', receiptOnceStep, async function (this: GenroWorld, alias: string, kind: string) {
  await pec(this).assertRecordedEvents(alias, [receiptKind(kind)], 'a poll');
});

Then('the message {string} records the PEC events of the {string} and the {string} receipts', receiptOnceStep, async function (this: GenroWorld, alias: string, first: string, second: string) {
  await pec(this).assertRecordedEvents(alias, [receiptKind(first), receiptKind(second)], 'a poll');
});

Then('the application receives a PEC error report for {string}', receiptOnceStep, async function (this: GenroWorld, alias: string) {
  await pec(this).assertReported(alias, ['mancata consegna'], 'a poll');
});

Then('the application receives a PEC report for {string} for each of the {string} and the {string} receipts', receiptStep, async function (this: GenroWorld, alias: string, first: string, second: string) {
  await pec(this).assertReported(alias, [receiptKind(first), receiptKind(second)], 'a moment');
});

Then('the message {string} is flagged with a PEC timeout once the acceptance timeout has passed, and nothing else', { timeout: pecReceiptOnceStepTimeoutMs() + PEC_ACCEPTANCE_TIMEOUT_S * 1000 }, async function (this: GenroWorld, alias: string) {
  await pec(this).assertTimeoutFlagged(alias, PEC_ACCEPTANCE_TIMEOUT_S);
});
