import { Given, Then, When } from '@cucumber/cucumber';
import { LargeFiles, type LargeFileAction } from '../support/capabilities/large-files.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const largeFiles = (world: GenroWorld) => world.use(LargeFiles.forScenario);

const ACTIONS: Record<string, LargeFileAction> = { 'moved to the object store': 'rewrite', refused: 'reject', 'sent with a warning': 'warn' };

Given(/^the tenant's attachments larger than (\d+) KB are (moved to the object store|refused|sent with a warning)$/, async function (this: GenroWorld, kb: string, action: string) {
  await largeFiles(this).configure(ACTIONS[action]!, Number(kb));
});

Then('the object store holds {string} with the bytes that were sent', async function (this: GenroWorld, name: string) {
  await largeFiles(this).assertStored(name);
});

Then('the object store holds nothing', async function (this: GenroWorld) {
  await largeFiles(this).assertNothingStored();
});

Then('the mail {string} has a link to {string} that downloads the bytes that were sent', async function (this: GenroWorld, alias: string, name: string) {
  await largeFiles(this).assertLinkDownloads(alias, name);
});

Then('the mail {string} does not carry {string} as an attachment', async function (this: GenroWorld, alias: string, name: string) {
  await largeFiles(this).assertNotAttached(alias, name);
});

Then('the proxy warns once that {string} of {string} exceeds the size limit', async function (this: GenroWorld, name: string, alias: string) {
  await largeFiles(this).assertWarned(name, alias);
});

Given('the tenant\'s attachments larger than {int} KB are moved to the object store, with links that expire after {int} days', async function (this: GenroWorld, kb: number, days: number) {
  await largeFiles(this).configure('rewrite', kb, days);
});

Then('the link to {string} in the mail {string} is signed to expire after {int} days', async function (this: GenroWorld, name: string, alias: string, days: number) {
  await largeFiles(this).assertLinkExpiresAfter(alias, name, days);
});

Then('the mail {string} says that its download links expire in {int} days', async function (this: GenroWorld, alias: string, days: number) {
  await largeFiles(this).assertMailSaysExpiry(alias, days);
});

Given('the tenant\'s attachments larger than {int} KB are moved to a folder on the proxy\'s disk that a web server publishes', async function (this: GenroWorld, kb: number) {
  await largeFiles(this).configureLocalDisk(kb);
});

Then('the folder holds {string} with the bytes that were sent', function (this: GenroWorld, name: string) {
  largeFiles(this).assertInFolder(name);
});

Then('the mail {string} has a link to {string} under the folder\'s public address that downloads the bytes that were sent', async function (this: GenroWorld, alias: string, name: string) {
  await largeFiles(this).assertPublishedLinkDownloads(alias, name);
});

Then('the link to {string} in the mail {string} carries a signed token', async function (this: GenroWorld, name: string, alias: string) {
  await largeFiles(this).assertLinkCarriesToken(alias, name);
});

Given('the tenant\'s attachments over {int} KB go to a published folder, kept {int} days after first download, {int} days at most', async function (this: GenroWorld, kb: number, afterDownload: number, ttl: number) {
  await largeFiles(this).configureLocalDisk(kb, { fileTtlDays: ttl, lifespanAfterDownloadDays: afterDownload });
});

When('the recipient downloads {string} with the link in the mail {string}', async function (this: GenroWorld, name: string, alias: string) {
  await largeFiles(this).assertPublishedLinkDownloads(alias, name);
});

Then('the link to {string} in the mail {string} still downloads the bytes that were sent', async function (this: GenroWorld, name: string, alias: string) {
  await largeFiles(this).assertKept(alias, name);
});

Then('the proxy has removed {string} of the mail {string} from the folder, and its link no longer downloads it', async function (this: GenroWorld, name: string, alias: string) {
  await largeFiles(this).assertRemoved(alias, name);
});
