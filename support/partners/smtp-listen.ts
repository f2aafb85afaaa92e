/**
 * What the suite's own SMTP servers share: listening where the stack says the proxy can
 * reach the test process (Endpoints.partners), and closing again.
 */
import type { AddressInfo } from 'node:net';
import type { SMTPServer } from 'smtp-server';
import type { HostPort } from '../stack/types.js';

/** Listens on a free port of `where.listenHost`; returns the address as the proxy reaches it. */
export async function listenSmtp(server: SMTPServer, where: { listenHost: string; hostForProxy: string }): Promise<HostPort> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, where.listenHost, () => resolve());
  });
  return { host: where.hostForProxy, port: (server.server.address() as AddressInfo).port };
}

export async function closeSmtp(server: SMTPServer | undefined): Promise<void> {
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
}
