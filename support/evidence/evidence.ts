/**
 * What a person needs when a scenario fails: the API exchanges, the source of the
 * scenario's delivered mail, and the tail of each service log. Secrets are redacted.
 */
import { redactText } from '../base/redact.js';
import { ScenarioSecrets } from '../base/secrets.js';
import type { GenroWorld } from '../cucumber/world.js';

const MAX_MAILS = 5;

/** The stack's secrets, the token of the proxy the scenario talked to, and the scenario's own secrets. */
function stackSecrets(world: GenroWorld): string[] {
  const e = world.session.endpoints;
  return [e.proxy.token, e.imap.password, e.s3.secretAccessKey, world.proxy.endpoint.token, ...world.use(ScenarioSecrets.forScenario).values];
}

export async function attachEvidence(world: GenroWorld): Promise<void> {
  const secrets = stackSecrets(world);
  const attachText = (title: string, body: string) =>
    world.attach(redactText(body, secrets), { mediaType: 'text/plain', fileName: redactText(title, secrets) });

  const exchanges = world.proxy.exchanges;
  if (exchanges.length > 0) {
    attachText(`Proxy API calls of this scenario (${exchanges.length})`, exchanges.map((x) => JSON.stringify(x)).join('\n'));
  }

  try {
    const mails = await world.mailpit.search(`addressed:"${world.sid}"`);
    const shown = mails.slice(0, MAX_MAILS);
    for (const mail of shown) {
      attachText(`Delivered mail ${mail.Subject} (Mailpit ID ${mail.ID}), raw source`, await world.mailpit.raw(mail.ID));
    }
    if (mails.length === 0) attachText('Delivered mail', `No mail addressed to this scenario (${world.sid}) reached the sink.`);
    if (mails.length > MAX_MAILS) attachText('Delivered mail', `${mails.length - MAX_MAILS} more mails not shown.`);
  } catch (error) {
    attachText('Delivered mail', `Mailpit could not be searched: ${String(error)}`);
  }

  for (const { title, body } of await world.evidence.collect()) attachText(title, body);

  for (const { service, tail } of world.session.provider.logTails(40)) {
    attachText(`Last lines of the ${service} log`, tail);
  }
}
