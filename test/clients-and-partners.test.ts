/**
 * The world objects of the bounce, attachment, large-file and PEC features against the
 * real services of a local stack: the IMAP mailbox (Dovecot), the object store (MinIO),
 * the attachment file server and the delivery-report receiver. Needs `npm run setup`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import got from 'got';
import { ImapFlow } from 'imapflow';
import { CallbackReceiver } from '../support/partners/callback-receiver.js';
import { loadConfig, readInstalledStack } from '../support/base/config.js';
import { composeBounce } from '../support/mail/bounce-mails.js';
import { FileServer } from '../support/partners/file-server.js';
import { ImapMailbox, isSeen } from '../support/clients/imap-mailbox.js';
import { ObjectStore } from '../support/clients/object-store.js';
import { s3Client } from '../support/base/s3-client.js';
import { LocalProvider } from '../support/stack/local.js';
import type { StackSession } from '../support/stack/session.js';
import type { Endpoints } from '../support/stack/types.js';

const installed = readInstalledStack();
let provider: LocalProvider;
let endpoints: Endpoints;
let session: StackSession;

before(async () => {
  assert.ok(installed, 'the local stack is not installed: run `npm run setup` first');
  provider = new LocalProvider(installed, loadConfig({}), 'node-test-ee', () => {});
  endpoints = await provider.start();
  session = { endpoints } as StackSession;
});

after(async () => {
  await provider?.stop();
});

test('IMAP mailbox: an appended bounce is confirmed, then seen, moved and deleted as the server reports', async () => {
  const box = new ImapMailbox(session, `bounces.node-test-${Date.now()}`);
  const bounce = await composeBounce('hard', { sender: 's@example.test', recipient: 'r@example.test', subject: 'x', messageId: '<orig.node-test@example.test>' });
  const appended = await box.append(bounce.raw, bounce.messageId);
  assert.equal(appended.folder, 'INBOX');
  assert.ok(appended.uid > 0);
  let state = await box.state(bounce.messageId);
  assert.deepEqual(state.folders.map((f) => f.folder), ['INBOX']);
  assert.equal(isSeen(state), false);
  assert.deepEqual(await box.messageIds(), [bounce.messageId]);

  const client = new ImapFlow({ host: endpoints.imap.host, port: endpoints.imap.port, secure: false, logger: false, auth: { user: box.user, pass: endpoints.imap.password } });
  await client.connect();
  try {
    await client.mailboxOpen('INBOX');
    await client.messageFlagsAdd(String(appended.uid), ['\\Seen'], { uid: true });
    state = await box.state(bounce.messageId);
    assert.equal(isSeen(state), true, JSON.stringify(state));

    await client.mailboxCreate('Processed');
    await client.messageMove(String(appended.uid), 'Processed', { uid: true });
    state = await box.state(bounce.messageId);
    assert.deepEqual(state.folders.map((f) => f.folder), ['Processed']);

    await client.mailboxOpen('Processed');
    await client.messageDelete('1:*');
    state = await box.state(bounce.messageId);
    assert.deepEqual(state.folders, [], 'gone after delete and expunge');
  } finally {
    await client.logout();
  }
});

test('IMAP mailbox: a wrong password is an error that names the server and the user', async () => {
  const wrong = { endpoints: { ...endpoints, imap: { ...endpoints.imap, password: 'wrong' } } } as StackSession;
  await assert.rejects(new ImapMailbox(wrong, 'someone').state('<x@y>'), /cannot log in to the IMAP server at 127\.0\.0\.1:\d+ as someone/);
});

test('object store: bucket created on first use, put, head, get, list, presigned URL, removal', async () => {
  const client = s3Client(session.endpoints.s3);
  const store = new ObjectStore(client, `gmp-node-test-${Date.now()}`);
  try {
    assert.equal(store.url('big-files/'), `s3://${store.bucket}/big-files`);
    await store.put('big-files/a/one.bin', Buffer.from('one'));
    await store.put('other/two.bin', 'two');
    assert.deepEqual((await store.list('big-files/')).map((o) => [o.key, o.size]), [['big-files/a/one.bin', 3]]);
    assert.equal((await store.head('big-files/a/one.bin'))?.ContentLength, 3);
    assert.equal(await store.head('big-files/none.bin'), undefined);
    assert.equal((await store.get('other/two.bin')).toString(), 'two');
    const url = await store.presignedUrl('big-files/a/one.bin', 60);
    assert.match(url, /X-Amz-Signature=/);
    assert.deepEqual(await ObjectStore.download(url), { status: 200, body: Buffer.from('one') });
    assert.equal((await ObjectStore.download(url.replace(/X-Amz-Signature=[^&]+/, 'X-Amz-Signature=00'))).status, 403);
    await store.remove();
    await assert.rejects(store.get('other/two.bin'), /NoSuchBucket|bucket does not exist/i);
  } finally {
    client.destroy();
  }
});

test('file server: a published file needs its bearer token; the endpoint answers documents; requests are recorded', async () => {
  const server = new FileServer();
  try {
    const url = await server.publish('sid1', 'a b.pdf', Buffer.from('pdf bytes'), 'tok');
    assert.equal((await got(url, { throwHttpErrors: false })).statusCode, 401);
    const ok = await got(url, { headers: { authorization: 'Bearer tok' }, responseType: 'buffer' });
    assert.equal(ok.body.toString(), 'pdf bytes');
    const { baseUrl, path } = await server.attachmentEndpoint('sid1', new Map([['doc-1', Buffer.from('doc')]]), 'tenant-tok');
    const doc = await got.post(`${baseUrl}${path}`, { json: { storage_path: 'doc-1' }, headers: { authorization: 'Bearer tenant-tok' } });
    assert.equal(doc.body, 'doc');
    assert.equal((await got.post(`${baseUrl}${path}`, { json: { storage_path: 'doc-2' }, headers: { authorization: 'Bearer tenant-tok' }, throwHttpErrors: false })).statusCode, 404);
    assert.deepEqual(server.requestsOf('sid1').map((r) => `${r.method} ${r.authorization ?? '-'}`), ['GET -', 'GET Bearer tok', 'POST Bearer tenant-tok', 'POST Bearer tenant-tok']);
    await assert.rejects(got(await server.unreachableUrl('x.pdf'), { retry: { limit: 0 } }), /ECONNREFUSED/);
    server.forget('sid1');
    assert.deepEqual(server.requestsOf('sid1'), []);
    assert.equal((await got(url, { headers: { authorization: 'Bearer tok' }, throwHttpErrors: false })).statusCode, 404);
  } finally {
    await server.close();
  }
});

test('callback receiver: answers scripted to follow a report go to the next calls, heartbeats included, then the standing answer', async () => {
  const receiver = new CallbackReceiver();
  try {
    const base = await receiver.start();
    receiver.answerNextReport({ status: 200, body: { ok: true, queued: 3 } }, [{ status: 200, body: { ok: true, queued: 1 } }]);
    const post = async (items: unknown[]) => (await got.post(`${base}/mail-proxy/sync`, { json: { delivery_report: items } }).json<unknown>());
    assert.deepEqual(await post([]), { ok: true }, 'a heartbeat before the report gets the standing answer');
    assert.deepEqual(await post([{ id: 'm1', sent_ts: 1 }]), { ok: true, queued: 3 });
    assert.deepEqual(await post([]), { ok: true, queued: 1 }, 'the call after it, though empty, gets the follow-up');
    assert.deepEqual(await post([]), { ok: true });
  } finally {
    await receiver.stop();
  }
});

test('callback receiver: records reports, reads them by message id, and scripted answers skip heartbeats', async () => {
  const receiver = new CallbackReceiver();
  try {
    const base = await receiver.start();
    receiver.answerNextReport({ status: 500, body: { error: 'busy' } });
    // A heartbeat (empty report) gets the standing answer and leaves the scripted one in place.
    assert.equal((await got.post(`${base}/mail-proxy/sync`, { json: { delivery_report: [] }, throwHttpErrors: false })).statusCode, 200);
    assert.equal((await got.post(`${base}/mail-proxy/sync`, { json: { delivery_report: [{ id: 'm1', sent_ts: 1 }, { id: 'm2', sent_ts: 2 }] }, throwHttpErrors: false })).statusCode, 500);
    receiver.answerAlways({ status: 200, body: 'OK' });
    const plain = await got.post(`${base}/hooks/sync`, { json: { delivery_report: [{ id: 'm1', bounce_ts: 3, bounce_type: 'hard' }] }, headers: { authorization: 'Bearer t0k' } });
    assert.equal(plain.headers['content-type'], 'text/plain');
    assert.deepEqual(receiver.itemsFor('m1').map(({ item }) => item), [{ id: 'm1', sent_ts: 1 }, { id: 'm1', bounce_ts: 3, bounce_type: 'hard' }]);
    assert.deepEqual(receiver.requests.map((r) => [r.path, r.answeredStatus]), [['/mail-proxy/sync', 200], ['/mail-proxy/sync', 500], ['/hooks/sync', 200]]);
    assert.equal(receiver.requestsWithItemFor('m1').at(-1)?.headers.authorization, 'Bearer t0k');
    const waited = await receiver.waitForItem('m1', 'a bounce item', 1000, (i) => 'bounce_type' in i);
    assert.equal(waited.item.bounce_code ?? 'none', 'none');
    await receiver.expectNoItemFor('m3', 100);
    // A wait that times out shows every item that did arrive, for any message and outcome.
    await assert.rejects(receiver.waitForItem('m9', 'the report of m9', 100), (error: Error) => {
      assert.match(error.message, /report items received in this scenario \(3, in 3 requests\):/);
      assert.match(error.message, /POST \/hooks\/sync \{"id":"m1","bounce_ts":3,"bounce_type":"hard"\}/);
      return true;
    });
    await assert.rejects(receiver.expectNoItemFor('m2', 100, 0), /Expected no report item\(s\) for m2/);
  } finally {
    await receiver.stop();
  }
});
