/**
 * The report's evidence path, end to end: a failing scenario's proxy API calls (recorded
 * by the real client against a local HTTP server that answers with secrets, the way
 * 0.7.0 does), the source of its mail and the tails of the service logs are attached
 * with no password or token in them: neither the stack's nor the scenario's.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ProxyApi } from '../support/clients/proxy-api.js';
import { attachEvidence } from '../support/evidence/evidence.js';
import { EvidenceRegistry } from '../support/evidence/registry.js';
import { REDACTED } from '../support/base/redact.js';
import { ScenarioSecrets } from '../support/base/secrets.js';
import type { GenroWorld } from '../support/cucumber/world.js';

const stack = { proxyToken: 'PROXY-TOKEN-0a1b2c', imapPassword: 'IMAP-PW-3d4e5f', s3Secret: 'S3-SECRET-6a7b8c' };
let server: Server;
let baseUrl = '';

before(async () => {
  // Answers like 0.7.0 does: the stored secrets come back in the bodies.
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url?.startsWith('/accounts/add')) {
        const sent = JSON.parse(body) as Record<string, unknown>;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ...sent, pk: 'Z1', note: `stored ${String(sent.password)}` }));
      } else {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`Internal Server Error for ${request.headers['x-api-token']}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.close();
});

function fakeWorld(api: ProxyApi, secrets: ScenarioSecrets, tenantKey: string) {
  const attachments: string[] = [];
  const objects = new Map<unknown, unknown>([[ScenarioSecrets.forScenario, secrets]]);
  const evidence = new EvidenceRegistry();
  evidence.add('callback-receiver', {
    title: 'Callback requests received (1)',
    collect: () => JSON.stringify({ headers: { authorization: `Bearer ${secrets.get('token')}` }, note: `key ${tenantKey}` }),
  });
  const world = {
    sid: 'stest01',
    proxy: api,
    use: (create: (w: GenroWorld) => unknown) => objects.get(create),
    // The title travels as the attachment's file name; keep it with the body, as a reader sees both.
    attach: (text: string, options?: { fileName?: string }) => void attachments.push(options?.fileName ? `${options.fileName}\n\n${text}` : text),
    // Evidence that world objects contribute.
    evidence,
    session: {
      endpoints: { proxy: { baseUrl, token: stack.proxyToken }, imap: { password: stack.imapPassword }, s3: { secretAccessKey: stack.s3Secret } },
      provider: {
        logTails: () => [
          { service: 'proxy', tail: `INFO: body {'id': 'smtp1', 'password': '${secrets.get('password')}', 'api_key': '${tenantKey}'}\nlauncher: token=${stack.proxyToken}` },
          { service: 'dovecot', tail: `auth: login with password=${stack.imapPassword}` },
          { service: 'minio', tail: `MINIO_ROOT_PASSWORD=${stack.s3Secret}` },
        ],
      },
    },
    mailpit: {
      search: async () => [{ ID: 'm1', Subject: 'Your key' }],
      raw: async () => `Subject: Your key\r\nX-Tenant-Key: ${tenantKey}\r\n\r\nYour new key is ${tenantKey}, the account password ${secrets.get('password')}.`,
    },
  };
  return { world: world as unknown as GenroWorld, attachments };
}

test('no attachment of a failed scenario holds a secret of the stack or of the scenario', async () => {
  const secrets = ScenarioSecrets.forScenario();
  const password = secrets.make('password');
  const tenantKey = secrets.register('acme\'s key', 'TENANT-KEY-9f8e7d6c');
  const token = secrets.make('token');
  const api = new ProxyApi({ baseUrl, token: stack.proxyToken });
  await api.raw('POST', '/accounts/add', { json: { id: 'smtp1', user: 'mailer', password, client_auth: { method: 'bearer', token } } });
  await api.as(tenantKey).raw('GET', '/tenants/list');

  const { world, attachments } = fakeWorld(api, secrets, tenantKey);
  await attachEvidence(world);

  assert.ok(attachments.length >= 5, `attachments: ${attachments.length}`);
  assert.ok(attachments.some((a) => a.startsWith('Proxy API calls of this scenario (2)')), 'the API calls are attached');
  assert.ok(attachments.some((a) => a.includes('Delivered mail Your key')), 'the mail source is attached');
  for (const secret of [...Object.values(stack), password, tenantKey, token]) {
    const holding = attachments.filter((a) => a.includes(secret)).map((a) => a.split('\n')[0]);
    assert.deepEqual(holding, [], `a secret is in these attachments: ${holding.join(', ')}`);
  }
  assert.ok(attachments.every((a) => !/'password': '(?!\[redacted\])/.test(a)), 'a Python repr kept its password');
  assert.ok(attachments.some((a) => a.includes(REDACTED)));
});
