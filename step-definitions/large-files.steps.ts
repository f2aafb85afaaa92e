import { Given, Then, When } from '@cucumber/cucumber';
import { Attachments } from '../support/capabilities/attachments.js';
import { LargeFiles } from '../support/capabilities/large-files.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const largeFiles = (world: GenroWorld) => world.use(LargeFiles.forScenario);

Given('the tenant moves attachments larger than {int} KB to the object store under {string}', async function (this: GenroWorld, kb: number, prefix: string) {
  await largeFiles(this).configure('rewrite', kb, prefix);
});

Given('the tenant refuses attachments larger than {int} KB', async function (this: GenroWorld, kb: number) {
  await largeFiles(this).configure('reject', kb);
});

Given('the tenant accepts attachments larger than {int} KB with a warning', async function (this: GenroWorld, kb: number) {
  await largeFiles(this).configure('warn', kb);
});

When('the application submits the message {string} with {string} of {int} KB', async function (this: GenroWorld, alias: string, name: string, kb: number) {
  const a = this.use(Attachments.forScenario);
  await this.submit([{ alias, message: this.draft(alias, { attachments: [a.base64(a.file(name, kb * 1024), 'fetch_mode')] }) }]);
});

Then('the object store holds {string} under {string} with the bytes that were sent', async function (this: GenroWorld, name: string, prefix: string) {
  await largeFiles(this).assertStored(name, prefix);
});

Then('the object store holds nothing under {string}', async function (this: GenroWorld, prefix: string) {
  await largeFiles(this).assertNothingStored(prefix);
});

Then('the mail {string} has a link to {string} that downloads the bytes that were sent', async function (this: GenroWorld, alias: string, name: string) {
  await largeFiles(this).assertLinkDownloads(alias, name);
});

Then('the mail {string} does not carry {string} as an attachment', async function (this: GenroWorld, alias: string, name: string) {
  await largeFiles(this).assertNotAttached(alias, name);
});

Then('the proxy warns that {string} exceeds the size limit', async function (this: GenroWorld, name: string) {
  await largeFiles(this).assertWarned(name);
});
