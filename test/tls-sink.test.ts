/**
 * The suite's test CA (support/partners/test-ca.ts) and its TLS mail servers
 * (support/partners/tls-smtp-sink.ts), driven by real clients: nodemailer, and the SUT's
 * own Python with aiosmtplib (the client 0.7.0 sends with) trusting the CA only through
 * SSL_CERT_FILE, as the proxy in features/encryption.feature does. The CA's certificates
 * are also served by the real Mailpit (its --smtp-tls-cert and --smtp-require-tls), so
 * they are not only good for Node's TLS.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { readInstalledStack } from '../support/base/config.js';
import { eventually } from '../support/base/eventually.js';
import { freePort, tcpGreeting } from '../support/base/net.js';
import { TestCertificateAuthority } from '../support/partners/test-ca.js';
import { STARTTLS_FIRST, TlsSmtpSink, randomLoopback, tlsSinkWhere, type TlsMode } from '../support/partners/tls-smtp-sink.js';

const run = promisify(execFile);
const LOGIN = { user: 'mailer', password: 'pw-of-the-test' };
const installed = readInstalledStack();

let ca: TestCertificateAuthority;
let dir: string;
let bundle: string;

before(async () => {
  if (!installed) throw new Error('the local stack is not installed: run `npm run setup` (this test runs the SUT\'s Python and Mailpit)');
  ca = await TestCertificateAuthority.create();
  dir = mkdtempSync(join(tmpdir(), 'gmp-tls-test-'));
  bundle = ca.writeTrustBundle(dir);
});

after(() => {
  ca?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A sink of `mode` on a loopback address of its own, at a free high port (the scenarios use 465 and 587). */
async function withSink(mode: TlsMode, body: (sink: TlsSmtpSink, host: string, port: number) => Promise<void>): Promise<void> {
  const sink = new TlsSmtpSink(mode, LOGIN);
  const { host, port } = await sink.start({ listenHost: 'loopback', hostForProxy: '' }, (h) => ca.serverCertificate(h), 0);
  try {
    await body(sink, host, port);
  } finally {
    await sink.stop();
  }
}

/** Sends one mail with the SUT's aiosmtplib, as 0.7.0's pool connects (smtp/pool.py:149-160); prints "sent" or the error. */
const AIOSMTPLIB_SEND = `
import asyncio, sys, aiosmtplib
host, port, mode, user, password = sys.argv[1:6]
async def main():
    smtp = aiosmtplib.SMTP(hostname=host, port=int(port), use_tls=(mode == "implicit"), start_tls=(mode == "starttls"), timeout=5)
    await smtp.connect()
    await smtp.login(user, password)
    await smtp.sendmail("sender@example.test", ["to@example.test"], "Subject: from python\\r\\n\\r\\nbody\\r\\n")
    await smtp.quit()
try:
    asyncio.run(main())
    print("sent")
except Exception as e:
    print(type(e).__name__ + ": " + str(e))
`;

async function sendWithSutPython(host: string, port: number, mode: 'implicit' | 'starttls' | 'plain', env: Record<string, string>): Promise<string> {
  const { stdout } = await run(installed!.sut.python, ['-c', AIOSMTPLIB_SEND, host, String(port), mode, LOGIN.user, LOGIN.password], {
    env: { PATH: process.env.PATH ?? '', PYTHONPATH: installed!.sut.src, ...env },
  });
  return stdout.trim();
}

test('the CA signs a certificate for an IP address or a host name, and the bundle holds the system CAs and the CA last', async () => {
  const forIp = await ca.serverCertificate('127.9.8.7');
  writeFileSync(join(dir, 'ip.crt'), forIp.cert);
  const { stdout } = await run('openssl', ['x509', '-noout', '-in', join(dir, 'ip.crt'), '-ext', 'subjectAltName,extendedKeyUsage']);
  assert.match(stdout, /IP Address:127\.9\.8\.7/);
  assert.match(stdout, /TLS Web Server Authentication/);
  const named = await ca.serverCertificate('gateway.example.test');
  const file = join(dir, 'dns.crt');
  writeFileSync(file, named.cert);
  writeFileSync(join(dir, 'ca.crt'), ca.certificate);
  const verified = await run('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), file]);
  assert.match(verified.stdout, /: OK/);
  const text = readFileSync(bundle, 'utf8');
  assert.ok(text.endsWith(ca.certificate), 'the CA is the last certificate of the bundle');
  assert.ok((text.match(/BEGIN CERTIFICATE/g) ?? []).length > 50, 'the bundle holds the system CAs too');
});

test('an address of its own: a loopback other than 127.0.0.1 locally, the partners\' address otherwise', () => {
  assert.match(randomLoopback(), /^127\.(?:\d{1,3})\.(?:\d{1,3})\.(?:\d{1,3})$/);
  assert.notEqual(randomLoopback(), '127.0.0.1');
  assert.deepEqual(tlsSinkWhere({ listenHost: '127.0.0.1', hostForProxy: '127.0.0.1' }), { listenHost: 'loopback', hostForProxy: '' });
  assert.deepEqual(tlsSinkWhere({ listenHost: '172.30.0.1', hostForProxy: '172.30.0.1' }), { listenHost: '172.30.0.1', hostForProxy: '172.30.0.1' });
  assert.deepEqual(tlsSinkWhere({ listenHost: '127.0.0.1', hostForProxy: 'host.docker.internal' }), { listenHost: '127.0.0.1', hostForProxy: 'host.docker.internal' });
});

test('implicit TLS: the SUT\'s aiosmtplib delivers when SSL_CERT_FILE names the bundle, and refuses the certificate without it', async () => {
  await withSink('implicit', async (sink, host, port) => {
    assert.equal(await sendWithSutPython(host, port, 'implicit', { SSL_CERT_FILE: bundle }), 'sent');
    const untrusted = await sendWithSutPython(host, port, 'implicit', {});
    assert.match(untrusted, /CERTIFICATE_VERIFY_FAILED|certificate verify failed/);
    const mails = sink.mailsFor('to@example.test', 'from python');
    assert.equal(mails.length, 1);
    const events = mails[0]!.session.events.map(({ at: _at, ...e }) => (e.what === 'tls' ? { what: e.what, how: e.how } : e));
    assert.equal(mails[0]!.session.encryptedAtConnect, true);
    assert.deepEqual(events, [
      { what: 'tls', how: 'from the first byte' },
      { what: 'login', user: 'mailer', passwordRight: true, encrypted: true, accepted: true },
      { what: 'sender', address: 'sender@example.test', encrypted: true, accepted: true },
      { what: 'mail', from: 'sender@example.test', to: ['to@example.test'], subject: 'from python', encrypted: true },
    ]);
    assert.deepEqual(sink.inClearText(), []);
  });
});

test('implicit TLS: a client that speaks plain SMTP gets no greeting', async () => {
  await withSink('implicit', async (_sink, host, port) => {
    await assert.rejects(tcpGreeting(host, port, true, 500), /no greeting/);
  });
});

test('STARTTLS: a plain login is recorded and refused with 530; after STARTTLS the login and the mail go through', async () => {
  await withSink('starttls', async (sink, host, port) => {
    const plain = await sendWithSutPython(host, port, 'plain', { SSL_CERT_FILE: bundle });
    assert.match(plain, new RegExp(`SMTPAuthenticationError: .*${STARTTLS_FIRST.code}.*Must issue a STARTTLS command first`));
    assert.deepEqual(
      sink.inClearText().map(({ at: _at, ...e }) => e),
      [
        { what: 'login', user: 'mailer', passwordRight: true, encrypted: false, accepted: false },
        { what: 'login', user: 'mailer', passwordRight: true, encrypted: false, accepted: false },
      ],
      'aiosmtplib tries PLAIN, then LOGIN',
    );
    const client = nodemailer.createTransport({ host, port, secure: false, requireTLS: true, auth: { user: LOGIN.user, pass: LOGIN.password }, tls: { ca: ca.certificate } });
    await client.sendMail({ from: 'sender@example.test', to: 'to@example.test', subject: 'from nodemailer', text: 'x' });
    const [carried] = sink.mailsFor('to@example.test', 'from nodemailer');
    assert.ok(carried);
    assert.equal(carried.session.encryptedAtConnect, false);
    assert.deepEqual(carried.session.events.map((e) => [e.what, e.what === 'tls' ? e.how : e.encrypted]), [
      ['tls', 'STARTTLS'],
      ['login', true],
      ['sender', true],
      ['mail', true],
    ]);
    const tls = carried.session.events[0]!;
    assert.match(tls.what === 'tls' ? tls.version : '', /^TLSv1\.[23]$/);
    // A sender announced before the upgrade is refused too (nodemailer without auth, ignoring STARTTLS).
    const clear = nodemailer.createTransport({ host, port, secure: false, ignoreTLS: true });
    await assert.rejects(clear.sendMail({ from: 'sender@example.test', to: 'to@example.test', subject: 'clear', text: 'x' }), /530|STARTTLS/);
  });
});

test('the real Mailpit serves a certificate of the CA: the SUT\'s aiosmtplib trusts it through SSL_CERT_FILE, and a plain client is refused', async () => {
  const host = randomLoopback();
  const cert = await ca.serverCertificate(host);
  writeFileSync(join(dir, 'mailpit.crt'), cert.cert);
  writeFileSync(join(dir, 'mailpit.key'), cert.key);
  const smtp = await freePort(host);
  const http = await freePort();
  const mailpit = spawn(installed!.mailpit, [
    '--smtp', `${host}:${smtp}`, '--listen', `127.0.0.1:${http}`, '--database', join(dir, 'mailpit.db'),
    '--smtp-tls-cert', join(dir, 'mailpit.crt'), '--smtp-tls-key', join(dir, 'mailpit.key'), '--smtp-require-tls',
    '--smtp-auth-accept-any', '--disable-version-check',
  ], { stdio: 'ignore' });
  try {
    await eventually({ description: 'Mailpit to listen', timeoutMs: 10_000, intervalMs: 50 }, () => tcpGreeting(host, smtp, false).then(() => true, () => false));
    assert.equal(await sendWithSutPython(host, smtp, 'implicit', { SSL_CERT_FILE: bundle }), 'sent');
    assert.match(await sendWithSutPython(host, smtp, 'implicit', {}), /CERTIFICATE_VERIFY_FAILED|certificate verify failed/);
    await assert.rejects(tcpGreeting(host, smtp, true, 500), /no greeting/);
    const found = await eventually(
      { description: 'the mail in Mailpit', timeoutMs: 5_000, intervalMs: 100 },
      async () => (await (await fetch(`http://127.0.0.1:${http}/api/v1/messages`)).json()) as { messages: { Subject: string }[] },
      (body) => body.messages.length > 0,
    );
    assert.deepEqual(found.messages.map((m) => m.Subject), ['from python']);
  } finally {
    if (mailpit.exitCode === null && mailpit.signalCode === null) {
      const exited = new Promise((resolve) => mailpit.once('exit', resolve));
      mailpit.kill('SIGTERM');
      await exited;
    }
  }
});
