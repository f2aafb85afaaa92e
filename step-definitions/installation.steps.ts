import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { Operator, type GmpExtras } from '../support/capabilities/operator.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// The front door: the release installed with pip, started with `mail-proxy serve` and
// configured with the GMP settings of its usage guide.

const operator = (world: GenroWorld) => world.use(Operator.forScenario);

Given("the operator has installed the release's package with pip", async function (this: GenroWorld) {
  // The package pip installed from the release's wheel (scripts/install.sh) is on the operator's machine.
  await operator(this).machine();
});

When("the operator asks that package's mail-proxy command for its help", async function (this: GenroWorld) {
  await operator(this).run('wheel', ['--help']);
});

Then('the command succeeds, prints its usage and reports no error', function (this: GenroWorld) {
  operator(this).assertSummary('exit 0; usage printed; standard error: (empty)');
});

When('the operator starts the proxy with its address, port, database file and token in the GMP settings', async function (this: GenroWorld) {
  await operator(this).serveWithGmpSettings('token');
});

Then('the proxy answers at the address and port the settings name', async function (this: GenroWorld) {
  await operator(this).answering('the address and port GMP_HOST and GMP_PORT name');
});

Then('the proxy keeps its data in the database file the settings name', async function (this: GenroWorld) {
  await operator(this).assertDatabaseWhereSettingsSay();
});

Then('an application that sends no token is refused, and one that sends the configured token is answered', async function (this: GenroWorld) {
  await operator(this).assertTokenRequired();
});

const EXTRAS: Record<string, GmpExtras> = {
  'the scheduler active': 'token and scheduler active',
  'test mode on': 'token and test mode',
  'delivery-activity logging on': 'token and delivery-activity logging',
  'structured logging': 'token and JSON logs',
  'a short PEC acceptance timeout': 'token and a PEC acceptance timeout',
  'a disk cache folder': 'token and a disk cache',
};

Given(/^the operator has started the proxy with a database file and (the scheduler active|test mode on|delivery-activity logging on|structured logging|a short PEC acceptance timeout|a disk cache folder) in the (?:GMP|logging) settings$/, async function (this: GenroWorld, extras: string) {
  const served = await operator(this).serveWithGmpSettings(EXTRAS[extras]!);
  await operator(this).answering('the address and port GMP_HOST and GMP_PORT name');
  operator(this).talkToServed(served.settings.GMP_API_TOKEN!);
});

Given("the operator has started the proxy with the release's defaults", async function (this: GenroWorld) {
  await operator(this).serveWithDefaults();
  await operator(this).answering('the address and port given to mail-proxy serve');
  operator(this).talkToServed(null);
});

When('the application creates a tenant with an SMTP account on the mail sink, sending no token', async function (this: GenroWorld) {
  await this.createTenant();
  await this.createSinkAccount();
});

Then('the application sees that tenant in the tenant list, sending no token', async function (this: GenroWorld) {
  const ids = (await this.proxy.tenants.list()).map((t) => t.id);
  expect(ids, 'tenants listed to an application that sends no token').to.include(this.tenantId);
});

Then('the application can submit the message {string} without a token, and the proxy accepts it', async function (this: GenroWorld, alias: string) {
  const result = await this.submit([{ alias, message: this.draft(alias) }]);
  expect({ queued: result.queued, rejected: result.rejected }, `answer to the submission of "${alias}" without a token`).to.deep.equal({ queued: 1, rejected: [] });
});

When("the operator looks for the diagnostic tools in the release's source package", async function (this: GenroWorld) {
  await operator(this).findDiagnosticTools();
});

Then('the system-state, loop-monitor and test-dispatch tools that the guide names are all there', function (this: GenroWorld) {
  const missing = operator(this).diagnosticToolsMissing;
  if (missing.length > 0) throw new Error(`the release's source package lacks these diagnostic tools of docs/architecture_overview.rst: ${missing.join(', ')}`);
});

When("the operator runs the release's Docker image with a token in the GMP settings and its database in the data volume", async function (this: GenroWorld) {
  await operator(this).serveAsImage();
});

Then("the proxy answers where the image's port is published", async function (this: GenroWorld) {
  await operator(this).answering("the image's published port");
});

Then("the proxy's console log shows the SMTP attempt for {string}", async function (this: GenroWorld, alias: string) {
  const id = this.message(alias).id;
  await operator(this).logLine(`names the message ${id} (usage.rst: each SMTP attempt is surfaced in the console log)`, (line) => line.includes(id));
});

Then("the proxy's console log has a structured line at level INFO that names {string}", async function (this: GenroWorld, alias: string) {
  const id = this.message(alias).id;
  await operator(this).logLine(`is a JSON object with "level": "INFO" naming the message ${id} (monitoring.rst, Structured Logging)`, (line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      return entry.level === 'INFO' && typeof entry.timestamp === 'string' && JSON.stringify(entry).includes(id);
    } catch {
      return false;
    }
  });
});
