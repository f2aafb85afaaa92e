import { Given, Then } from '@cucumber/cucumber';
import { EncryptedDelivery, TLS_SERVERS } from '../support/capabilities/encryption.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// Delivery to mail servers that speak TLS (features/encryption.feature).

const encryption = (world: GenroWorld) => world.use(EncryptedDelivery.forScenario);

Given(/^a tenant whose SMTP account is set (to use|not to use) TLS(?:, as in the docs' Gmail example)?$/, function (this: GenroWorld, setting: string) {
  encryption(this).useTls = setting === 'to use';
});

Given(new RegExp(`^the account logs in (${TLS_SERVERS.source})$`), async function (this: GenroWorld, server: string) {
  await encryption(this).accountOn(server);
});

Then('the mail {string} reaches the mail server over TLS from the first byte, after a login over TLS', async function (this: GenroWorld, alias: string) {
  await encryption(this).assertDeliveredOver(alias, 'from the first byte');
});

Then('the mail {string} reaches the mail server after an upgrade with STARTTLS, then a login over TLS', async function (this: GenroWorld, alias: string) {
  await encryption(this).assertDeliveredOver(alias, 'STARTTLS');
});

Then('the mail server saw no login and no mail in clear text', function (this: GenroWorld) {
  encryption(this).assertNothingInClearText();
});
