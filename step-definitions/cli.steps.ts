import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { CommandLine } from '../support/capabilities/command-line.js';
import { Operator } from '../support/capabilities/operator.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// The mail-proxy command line of docs/cli_reference.rst: instances, their tenants,
// accounts, messages, token, statistics and interactive session, and exit codes.

const cli = (world: GenroWorld) => world.use(CommandLine.forScenario);
const operator = (world: GenroWorld) => world.use(Operator.forScenario);

When('the operator starts the instance {string} in the background', async function (this: GenroWorld, alias: string) {
  await cli(this).start(alias);
});

Given('the operator has started the instance {string} in the background', async function (this: GenroWorld, alias: string) {
  await cli(this).startRunning(alias);
});

Given('the operator has set up the instance {string} with the tenant {string} and its SMTP account on the mail sink', async function (this: GenroWorld, alias: string, tenant: string) {
  await cli(this).startRunning(alias);
  await cli(this).addTenant(alias, tenant);
  await cli(this).addSinkAccount(alias, tenant);
});

Then('the command succeeds and the instance {string} answers', async function (this: GenroWorld, alias: string) {
  cli(this).assertExit(0);
  await cli(this).answering(alias);
});

When('the operator stops the instance {string}', async function (this: GenroWorld, alias: string) {
  await cli(this).run(['stop', cli(this).instance(alias).name]);
});

Then('the command succeeds and the instance {string} no longer answers', async function (this: GenroWorld, alias: string) {
  cli(this).assertExit(0);
  await cli(this).notAnswering(alias);
});

Then(/^the instance list shows "([^"]*)" (running|stopped)(?:, with its port)?$/, async function (this: GenroWorld, alias: string, state: 'running' | 'stopped') {
  await cli(this).assertListed(alias, state);
});

When('the operator adds the tenant {string} and its SMTP account on the mail sink to {string}', async function (this: GenroWorld, tenant: string, alias: string) {
  await cli(this).addTenant(alias, tenant);
  await cli(this).addSinkAccount(alias, tenant);
});

Then("the instance {string} lists the tenant {string} and its account, with the account's host and port", async function (this: GenroWorld, alias: string, tenant: string) {
  await cli(this).assertTenantAndAccountListed(alias, tenant);
});

When(/^the application (?:submits the message "([^"]*)" to|has sent "([^"]*)" through) the instance "([^"]*)", with the (?:token the operator reads|operator's token)(, and it was delivered)?$/, async function (this: GenroWorld, submitted: string | undefined, sent: string | undefined, alias: string, delivered?: string) {
  const message = (submitted ?? sent)!;
  await cli(this).readToken(alias);
  cli(this).talkToInstance(alias);
  await this.submit([{ alias: message, message: this.draft(message) }]);
  if (delivered) {
    await this.deliveredMail(message);
    await this.waitForStatus(message, 'sent');
  }
});

When('the operator lists the sent messages of {string}', async function (this: GenroWorld, tenant: string) {
  cli(this).listed = await cli(this).listMessages(cli(this).current, tenant, 'sent');
});

Then('the list shows {string} as sent', function (this: GenroWorld, alias: string) {
  const id = this.message(alias).id;
  expect(cli(this).listed.filter((m) => m.id === id).map((m) => m.status), `"${id}" in the list of sent messages`).to.deep.equal(['sent']);
});

Then('the CSV export of the messages of {string} has a row for {string} with its tenant, account and status', async function (this: GenroWorld, tenant: string, alias: string) {
  const message = this.message(alias);
  const rows = (await cli(this).messagesCsv(cli(this).current, tenant)).filter((r) => r.id === message.id);
  expect(rows.map((r) => ({ tenant_id: r.tenant_id, account_id: r.account_id, status: r.status })), `CSV rows for "${message.id}"`)
    .to.deep.equal([{ tenant_id: message.tenant_id, account_id: message.account_id, status: 'sent' }]);
});

When('the operator sends the message {string} from an .eml file through the account of {string}', async function (this: GenroWorld, alias: string, tenant: string) {
  const path = await cli(this).writeEml(alias, `${alias}.eml`);
  await cli(this).run([cli(this).instance(cli(this).current).name, cli(this).tenantName(tenant), 'send', path, '--account', this.accountId!]);
  cli(this).assertExit(0);
});

When('the operator asks {string} to run now', async function (this: GenroWorld, tenant: string) {
  await cli(this).run([cli(this).instance(cli(this).current).name, cli(this).tenantName(tenant), 'run-now']);
});

Then('the command succeeds and the mail {string} is delivered', async function (this: GenroWorld, alias: string) {
  cli(this).assertExit(0);
  await this.deliveredMail(alias);
});

When('the operator reads the token of {string}', async function (this: GenroWorld, alias: string) {
  await cli(this).readToken(alias);
});

Then('the instance {string} answers a call with that token', async function (this: GenroWorld, alias: string) {
  const token = await cli(this).readToken(alias);
  expect(await cli(this).tenantListStatus(alias, token), 'the tenant list, with the token the operator read').to.equal(200);
});

When('the operator makes a new token for {string} and restarts the instance', async function (this: GenroWorld, alias: string) {
  cli(this).previousToken = await cli(this).readToken(alias);
  await cli(this).readToken(alias, true);
  await cli(this).restart(alias);
});

Then('the instance {string} answers a call with the new token and refuses the old one', async function (this: GenroWorld, alias: string) {
  const oldToken = cli(this).previousToken!;
  const newToken = await cli(this).readToken(alias);
  const seen = { sameToken: newToken === oldToken, withNew: await cli(this).tenantListStatus(alias, newToken), withOld: await cli(this).tenantListStatus(alias, oldToken) };
  expect(seen, 'the tenant list after the new token was made').to.deep.equal({ sameToken: false, withNew: 200, withOld: 401 });
});

Then('the statistics of {string} count one tenant and one account', async function (this: GenroWorld, alias: string) {
  await cli(this).assertStats(alias, { tenants: 1, accounts: 1 });
});

When('the operator opens an interactive session on {string}, asks for the status and the statistics, and quits', async function (this: GenroWorld, alias: string) {
  await cli(this).session(alias, ['proxy.status()', 'proxy.stats()', 'exit()']);
});

Then('the session ends without error, having shown whether the scheduler is active and the number of tenants', function (this: GenroWorld) {
  const { code, stdout, stderr } = operator(this).result;
  const seen = { code, scheduler: /scheduler_active/.test(stdout), tenants: /'tenants':\s*1\b/.test(stdout), traceback: /Traceback|Error:/.test(stdout + stderr) };
  expect(seen, 'the interactive session').to.deep.equal({ code: 0, scheduler: true, tenants: true, traceback: false });
});

When('the operator asks {string} to show a tenant that does not exist', async function (this: GenroWorld, alias: string) {
  await cli(this).run([cli(this).instance(alias).name, 'tenants', 'show', `nobody-${this.sid}`]);
});

Then('the command ends with exit code 1 and says that the tenant was not found', function (this: GenroWorld) {
  cli(this).assertExit(1);
  const { stdout, stderr } = operator(this).result;
  expect(`${stdout}\n${stderr}`, 'what the command printed').to.match(/not found/i);
});

When('the operator runs the mail-proxy command with a command that does not exist', async function (this: GenroWorld) {
  await cli(this).run([`no-such-command-${this.sid}`]);
});

Then('the command ends with exit code 2 and shows its usage', function (this: GenroWorld) {
  cli(this).assertExit(2);
  const { stdout, stderr } = operator(this).result;
  expect(`${stdout}\n${stderr}`, 'what the command printed').to.match(/Usage: mail-proxy/);
});
