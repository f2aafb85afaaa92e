/**
 * The SMTP server that watches its connections (support/partners/watching-smtp-server.ts),
 * driven by nodemailer as a client: it must tell connections apart, record who logged in
 * on each and which mails each carried, and count the mails under way at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import nodemailer from 'nodemailer';
import { WatchingSmtpServer } from '../support/partners/watching-smtp-server.js';

const LOGINS = new Map([
  ['orders', 'pw-orders'],
  ['alerts', 'pw-alerts'],
]);

async function withServer(delayMs: number, run: (server: WatchingSmtpServer, port: number) => Promise<void>): Promise<void> {
  const server = new WatchingSmtpServer(delayMs);
  const { port } = await server.start(LOGINS);
  try {
    await run(server, port);
  } finally {
    await server.stop();
  }
}

function transport(port: number, user: string, password: string, pool: boolean) {
  const options = { host: '127.0.0.1', port, secure: false, ignoreTLS: true, auth: { user, pass: password }, ...(pool ? { pool: true as const, maxConnections: 1 } : {}) };
  return nodemailer.createTransport(options);
}

const mail = (to: string) => ({ from: 'sender@example.test', to, subject: to, text: 'x' });

test('mails sent one after another over one pooled connection are recorded on that connection, with its one login', async () => {
  await withServer(0, async (server, port) => {
    const pooled = transport(port, 'orders', 'pw-orders', true);
    for (const to of ['a@example.test', 'b@example.test', 'c@example.test']) await pooled.sendMail(mail(to));
    pooled.close();
    assert.equal(server.connections.length, 1);
    assert.deepEqual(server.connections[0]!.logins, [{ user: 'orders', accepted: true }]);
    assert.deepEqual(server.connections[0]!.mails.map((m) => m.to), [['a@example.test'], ['b@example.test'], ['c@example.test']]);
    assert.equal(server.mailsFor('b@example.test').length, 1);
  });
});

test('each user and each unpooled mail gets a connection of its own; a wrong password is recorded as refused', async () => {
  await withServer(0, async (server, port) => {
    const orders = transport(port, 'orders', 'pw-orders', false);
    await orders.sendMail(mail('a@example.test'));
    await orders.sendMail(mail('b@example.test'));
    await transport(port, 'alerts', 'pw-alerts', false).sendMail(mail('c@example.test'));
    await assert.rejects(transport(port, 'alerts', 'wrong', false).sendMail(mail('d@example.test')));
    assert.deepEqual(
      server.connections.map((c) => ({ logins: c.logins, to: c.mails.map((m) => m.to[0]) })),
      [
        { logins: [{ user: 'orders', accepted: true }], to: ['a@example.test'] },
        { logins: [{ user: 'orders', accepted: true }], to: ['b@example.test'] },
        { logins: [{ user: 'alerts', accepted: true }], to: ['c@example.test'] },
        { logins: [{ user: 'alerts', accepted: false }], to: [] },
      ],
    );
  });
});

test('mostAtOnce counts the mails under way together: three at once over three connections, one at a time over one', async () => {
  await withServer(200, async (server, port) => {
    const together = ['p@example.test', 'q@example.test', 'r@example.test'];
    await Promise.all(together.map((to) => transport(port, 'orders', 'pw-orders', false).sendMail(mail(to))));
    assert.equal(server.mostAtOnce(together), 3);
    const pooled = transport(port, 'alerts', 'pw-alerts', true);
    const queued = ['x@example.test', 'y@example.test', 'z@example.test'];
    await Promise.all(queued.map((to) => pooled.sendMail(mail(to))));
    pooled.close();
    assert.equal(server.mostAtOnce(queued), 1);
    assert.equal(server.mostAtOnce([...together, ...queued]), 3);
  });
});
