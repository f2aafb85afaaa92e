import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { OutgoingMessage } from '../support/clients/proxy-api.js';
import { eventually } from '../support/eventually.js';
import { Access, pathsHolding, type CallOutcome } from '../support/access.js';
import { ScenarioSecrets } from '../support/secrets.js';
import { freePort } from '../support/stack/process.js';
import type { GenroWorld } from '../support/world.js';

const access = (world: GenroWorld) => world.use(Access.forScenario);
const secrets = (world: GenroWorld) => world.use(ScenarioSecrets.forScenario);
const REFUSED = [401, 403, 404];
const isJson = (o: CallOutcome) => o.contentType.startsWith('application/json');

function lastOutcome(world: GenroWorld): CallOutcome {
  const last = access(world).outcomes.at(-1);
  if (!last) throw new Error('no call was made in this scenario');
  return last;
}

/** beta's SMTP account and its held message, as the scenario created them. */
interface Holdings { accountId: string; host: string; port: number; message: OutgoingMessage }
const holdings = new WeakMap<GenroWorld, Holdings>();
function heldBy(world: GenroWorld): Holdings {
  const found = holdings.get(world);
  if (!found) throw new Error('the other tenant has no account and message in this scenario');
  return found;
}

// ------------------------------------------------------------------ tokens

When('the tenant list is asked for without a token', async function (this: GenroWorld) {
  access(this).reset();
  await access(this).call(access(this).withToken(null), 'GET', '/tenants/list');
});

When('the tenant list is asked for with a token the proxy never issued', async function (this: GenroWorld) {
  access(this).reset();
  await access(this).call(access(this).withToken(secrets(this).make('a token the proxy never issued')), 'GET', '/tenants/list');
});

Then('the call is refused as unauthorized, with a JSON error', function (this: GenroWorld) {
  const outcome = lastOutcome(this);
  expect(Access.describe(outcome), 'the answer').to.match(/: HTTP 401 application\/json$/);
  expect(outcome.body, 'the JSON error').to.have.property('detail').that.is.a('string').and.not.empty;
});

Then('the health check answers without a token', async function (this: GenroWorld) {
  const outcome = await access(this).call(access(this).withToken(null), 'GET', '/health');
  expect(Access.describe(outcome)).to.equal('GET /health: HTTP 200 application/json');
  expect(outcome.body).to.deep.equal({ status: 'ok' });
});

Then('the metrics answer without a token, in the Prometheus text format', async function (this: GenroWorld) {
  const outcome = await access(this).call(access(this).withToken(null), 'GET', '/metrics');
  expect(Access.describe(outcome)).to.equal('GET /metrics: HTTP 200 text/plain');
  expect(String(outcome.body), 'the metrics text').to.match(/^# HELP \w+/m).and.to.match(/^# TYPE \w+ (counter|gauge|histogram|summary)/m);
});

// ------------------------------------------------------------------ tenant keys

Given('the tenant {string} with a key of its own', async function (this: GenroWorld, name: string) {
  this.tenantId = await access(this).createTenant(name);
});

Given('the tenants {string} and {string}, each with a key of its own', async function (this: GenroWorld, first: string, second: string) {
  this.tenantId = await access(this).createTenant(first);
  await access(this).createTenant(second);
});

Given('the tenant {string} with a key that expired a minute ago', async function (this: GenroWorld, name: string) {
  this.tenantId = await access(this).createTenant(name);
  const answer = await this.proxy.tenants.createApiKey(this.tenantId, Math.floor(Date.now() / 1000) - 60);
  access(this).setKey(name, answer.api_key);
});

When('{word}, with its key, adds an SMTP account on the mail sink', async function (this: GenroWorld, name: string) {
  const sink = this.session.endpoints.mailpit.smtpForProxy;
  const id = `smtp-${this.sid}`;
  await access(this).as(name).accounts.add({ id, tenant_id: access(this).tenantId(name), host: sink.host, port: sink.port, use_tls: false });
  this.tenantId = access(this).tenantId(name);
  this.accountId = id;
});

When('{word}, with its key, submits the message {string}', async function (this: GenroWorld, name: string, alias: string) {
  const message = this.draft(alias);
  this.messages.set(alias, message);
  this.lastSubmission = await access(this).as(name).messages.addBatch([message]);
  expect(this.lastSubmission, 'the answer to the submission').to.deep.include({ queued: 1, rejected: [] });
});

Then('{word}, with its key, sees the message {string} as {string}', async function (this: GenroWorld, name: string, alias: string, status: string) {
  const message = this.message(alias);
  await eventually(
    { description: `${name} to see the message "${alias}" as ${status}, with its key`, timeoutMs: this.deliveryTimeoutMs },
    () => access(this).as(name).messages.list(message.tenant_id),
    (list) => list.find((m) => m.id === message.id)?.status === status,
  );
});

Given('{word}, with its key, can list its own accounts', async function (this: GenroWorld, name: string) {
  const outcome = await access(this).call(access(this).as(name), 'GET', '/accounts/list', { query: { tenant_id: access(this).tenantId(name) } });
  expect(Access.describe(outcome)).to.equal('GET /accounts/list: HTTP 200 application/json');
});

When('{word}, with its key, asks for its own accounts', async function (this: GenroWorld, name: string) {
  access(this).reset();
  await access(this).call(access(this).as(name), 'GET', '/accounts/list', { query: { tenant_id: access(this).tenantId(name) } });
});

When('the operator revokes {word}\'s key', async function (this: GenroWorld, name: string) {
  await this.proxy.tenants.revokeApiKey(access(this).tenantId(name));
});

// ------------------------------------------------------------------ one tenant against another

Given('{word} has an SMTP account and the message {string} waiting to be sent', async function (this: GenroWorld, name: string, alias: string) {
  const tenantId = access(this).tenantId(name);
  const sink = this.session.endpoints.mailpit.smtpForProxy;
  const accountId = `smtp-${name}-${this.sid}`;
  await this.proxy.accounts.add({ id: accountId, tenant_id: tenantId, host: sink.host, port: sink.port, use_tls: false });
  const batch = this.batchCode(`${name}-held`);
  await this.proxy.tenants.suspendBatch(tenantId, batch);
  const message: OutgoingMessage = {
    id: this.messageId(alias), tenant_id: tenantId, account_id: accountId, batch_code: batch,
    from: this.address(`${name}-office`), to: [this.address(`${alias}-recipient`)], subject: `Message ${alias} of ${name}`, body: `Body of ${alias}`,
  };
  this.messages.set(alias, message);
  expect(await this.proxy.messages.addBatch([message]), `the submission of "${alias}"`).to.deep.include({ queued: 1, rejected: [] });
  holdings.set(this, { accountId, host: sink.host, port: sink.port, message });
});

When('{word}, with its key, asks for {word}\'s accounts and messages', async function (this: GenroWorld, name: string, other: string) {
  const a = access(this);
  const api = a.as(name);
  const tenantId = a.tenantId(other);
  const { accountId, message } = heldBy(this);
  a.reset();
  await a.call(api, 'GET', '/accounts/list', { query: { tenant_id: tenantId } });
  await a.call(api, 'GET', '/accounts/get', { query: { tenant_id: tenantId, account_id: accountId } });
  await a.call(api, 'GET', '/messages/list', { query: { tenant_id: tenantId } });
  await a.call(api, 'GET', '/messages/get', { query: { tenant_id: tenantId, message_id: message.id } });
});

When('{word}, with its key, tries to change {word}\'s account, then to delete its message and the account itself', async function (this: GenroWorld, name: string, other: string) {
  const a = access(this);
  const api = a.as(name);
  const tenantId = a.tenantId(other);
  const { accountId, message } = heldBy(this);
  a.reset();
  await a.call(api, 'POST', '/accounts/add', { json: { id: accountId, tenant_id: tenantId, host: `smtp.${name}-takeover.example.test`, port: 25, use_tls: false } });
  await a.call(api, 'POST', '/messages/delete_batch', { json: { tenant_id: tenantId, ids: [message.id] } });
  await a.call(api, 'POST', '/accounts/delete', { json: { tenant_id: tenantId, account_id: accountId } });
});

When('{word}, with its key, tries to create a tenant and to replace {word}\'s key', async function (this: GenroWorld, name: string, other: string) {
  const a = access(this);
  const api = a.as(name);
  const intruder = a.tenantId('intruder');
  const admin = this.proxy;
  this.teardown.push(`delete tenant ${intruder} if it was created`, async () => {
    await admin.tenants.delete(intruder);
  });
  a.reset();
  const created = await a.call(api, 'POST', '/tenants/add', { json: { id: intruder, name: 'made with another tenant\'s key' } });
  const replaced = await a.call(api, 'POST', '/tenants/create_api_key', { json: { tenant_id: a.tenantId(other) } });
  for (const [purpose, body] of [['intruder key', created.body], [`${other}'s replaced key`, replaced.body]] as const) {
    const key = (body as { api_key?: unknown } | null)?.api_key;
    if (typeof key === 'string') secrets(this).register(purpose, key);
  }
});

Then('every one of these calls is refused', function (this: GenroWorld) {
  const allowed = access(this).outcomes.filter((o) => !REFUSED.includes(o.status)).map(Access.describe);
  expect(allowed, `calls the proxy did not refuse (refused means HTTP ${REFUSED.join(', ')})`).to.deep.equal([]);
});

Then('{word}\'s account and its message {string} are as they were', async function (this: GenroWorld, name: string, alias: string) {
  const tenantId = access(this).tenantId(name);
  const { accountId, host, port, message } = heldBy(this);
  const accounts = await this.proxy.accounts.list(tenantId);
  const account = accounts.find((a) => a.id === accountId);
  expect(account && { host: account.host, port: account.port }, `${name}'s account`).to.deep.equal({ host, port });
  const listed = (await this.proxy.messages.list(tenantId)).find((m) => m.id === message.id);
  expect(listed && { status: listed.status, subject: listed.message.subject }, `${name}'s message "${alias}"`).to.deep.equal({ status: 'pending', subject: message.subject });
});

Then('{word}\'s key still works', async function (this: GenroWorld, name: string) {
  const outcome = await access(this).call(access(this).as(name), 'GET', '/accounts/list', { query: { tenant_id: access(this).tenantId(name) } });
  expect(Access.describe(outcome), `${name}'s own key on its own accounts`).to.equal('GET /accounts/list: HTTP 200 application/json');
});

// ------------------------------------------------------------------ bad input

When('the application adds an account without its {string}', async function (this: GenroWorld, field: string) {
  const sink = this.session.endpoints.mailpit.smtpForProxy;
  const account: Record<string, unknown> = { id: `incomplete-${this.sid}`, tenant_id: this.tenantId, host: sink.host, port: sink.port, use_tls: false };
  if (!(field in account)) throw new Error(`"${field}" is not a field this step knows (${Object.keys(account).join(', ')})`);
  delete account[field];
  access(this).reset();
  await access(this).call(this.proxy, 'POST', '/accounts/add', { json: account });
});

Then('the call is refused as invalid, naming the field {string}', function (this: GenroWorld, field: string) {
  const outcome = lastOutcome(this);
  expect(Access.describe(outcome), 'the answer').to.match(/: HTTP 422 application\/json$/);
  const detail = (outcome.body as { detail?: { loc?: unknown[]; type?: string }[] }).detail;
  expect(detail, 'the validation errors').to.be.an('array');
  expect(detail!.map((d) => d.loc?.at(-1)), 'the fields the errors name').to.include(field);
});

When('the application asks for a tenant, an account and a message that do not exist', async function (this: GenroWorld) {
  const a = access(this);
  a.reset();
  await a.call(this.proxy, 'GET', '/tenants/get', { query: { tenant_id: `nobody-${this.sid}` } });
  await a.call(this.proxy, 'GET', '/accounts/get', { query: { tenant_id: this.tenantId, account_id: `nothing-${this.sid}` } });
  await a.call(this.proxy, 'GET', '/messages/get', { query: { tenant_id: this.tenantId, message_id: `never-sent-${this.sid}` } });
});

Then('every one of these calls is answered "not found", with a JSON error', function (this: GenroWorld) {
  const wrong = access(this).outcomes.filter((o) => o.status !== 404 || !isJson(o)).map(Access.describe);
  expect(wrong, 'calls not answered HTTP 404 with a JSON error').to.deep.equal([]);
});

When('the application submits the messages {string} and {string} in one batch, {string} with the priority {string}', async function (this: GenroWorld, first: string, second: string, invalid: string, priority: string) {
  const drafts = [first, second].map((alias) => {
    const message: Omit<OutgoingMessage, 'priority'> & { priority?: unknown } = this.draft(alias);
    if (alias === invalid) message.priority = priority;
    this.messages.set(alias, message as OutgoingMessage);
    return message;
  });
  access(this).reset();
  await access(this).call(this.proxy, 'POST', '/messages/add_batch', { json: { messages: drafts } });
});

Then('the proxy keeps exactly the messages its answer says it queued', async function (this: GenroWorld) {
  const answer = lastOutcome(this);
  const ids = [...this.messages.values()].map((m) => m.id);
  let queued: string[] = [];
  if (answer.status >= 200 && answer.status < 300) {
    const rejected = ((answer.body as { rejected?: { id: string | null }[] }).rejected ?? []).map((r) => r.id);
    queued = ids.filter((id) => !rejected.includes(id));
  }
  const kept = (await this.proxy.messages.list(this.tenantId!)).map((m) => m.id).filter((id) => ids.includes(id));
  expect(kept.sort(), `messages the proxy kept, although its answer (${Access.describe(answer)}) queued only ${JSON.stringify(queued)}`).to.deep.equal(queued.sort());
});

Then('the answer says that {string} is invalid', function (this: GenroWorld, alias: string) {
  const answer = lastOutcome(this);
  const id = this.messageId(alias);
  if (answer.status >= 200 && answer.status < 300) {
    expect((answer.body as { rejected?: { id: string | null }[] }).rejected?.map((r) => r.id), 'rejected, in the answer').to.include(id);
  } else {
    expect(Access.describe(answer), 'the answer').to.match(/: HTTP 4\d\d application\/json$/);
  }
});

// ------------------------------------------------------------------ secrets in reads

Given('a tenant with an SMTP account that logs in with a user and a password', async function (this: GenroWorld) {
  const tenantId = await this.createTenant();
  const sink = this.session.endpoints.mailpit.smtpForProxy;
  this.accountId = `smtp-${this.sid}`;
  const password = secrets(this).make('password');
  access(this).reset();
  const added = await access(this).call(this.proxy, 'POST', '/accounts/add', {
    json: { id: this.accountId, tenant_id: tenantId, host: sink.host, port: sink.port, use_tls: false, user: 'mailer', password },
  });
  expect(added.status, 'adding the account').to.equal(200);
});

When('the application reads the account back: as added, by its id, and in the account list', async function (this: GenroWorld) {
  const query = { tenant_id: this.tenantId!, account_id: this.accountId! };
  await access(this).call(this.proxy, 'GET', '/accounts/get', { query });
  await access(this).call(this.proxy, 'GET', '/accounts/list', { query: { tenant_id: this.tenantId! } });
});

Given('a tenant with a PEC account that reads its receipts over IMAP with a password', async function (this: GenroWorld) {
  const tenantId = await this.createTenant();
  const sink = this.session.endpoints.mailpit.smtpForProxy;
  const imap = this.session.endpoints.imap.forProxy;
  this.accountId = `pec-${this.sid}`;
  const password = secrets(this).make('password');
  access(this).reset();
  const added = await access(this).call(this.proxy, 'POST', '/accounts/add_pec', {
    json: { id: this.accountId, tenant_id: tenantId, host: sink.host, port: sink.port, use_tls: false, imap_host: imap.host, imap_port: imap.port, imap_user: `receipts-${this.sid}`, imap_password: password },
  });
  expect(added.status, 'adding the PEC account').to.equal(200);
});

When('the application reads the PEC account back: as added, by its id, and in the list of PEC accounts', async function (this: GenroWorld) {
  await access(this).call(this.proxy, 'GET', '/accounts/get', { query: { tenant_id: this.tenantId!, account_id: this.accountId! } });
  await access(this).call(this.proxy, 'GET', '/accounts/list_pec');
});

Given('a tenant whose delivery reports are sent with a bearer token', async function (this: GenroWorld) {
  const id = `tenant-${this.sid}`;
  const admin = this.proxy;
  const token = secrets(this).make('token');
  // An address on this machine where nothing listens: the proxy's report attempts fail and are only logged.
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  access(this).reset();
  const added = await access(this).call(admin, 'POST', '/tenants/add', {
    json: { id, name: `Scenario ${this.sid}`, client_base_url: nowhere, client_auth: { method: 'bearer', token } },
  });
  this.teardown.push(`delete tenant ${id}`, async () => {
    await admin.tenants.delete(id);
  });
  const key = (added.body as { api_key?: unknown }).api_key;
  if (typeof key === 'string') secrets(this).register('tenant key', key);
  expect(added.status, 'adding the tenant').to.equal(200);
  this.tenantId = id;
});

When('the application reads the tenant back: as added, by its id, and in the tenant list', async function (this: GenroWorld) {
  await access(this).call(this.proxy, 'GET', '/tenants/get', { query: { tenant_id: this.tenantId! } });
  await access(this).call(this.proxy, 'GET', '/tenants/list');
});

Then('none of these answers contains the {word}', function (this: GenroWorld, secret: string) {
  const value = secrets(this).get(secret);
  const leaks = access(this).outcomes.flatMap((o) => pathsHolding(o.body, value).map((path) => `${o.call} (${path})`));
  expect(access(this).outcomes.length, 'answers read back').to.be.at.least(3);
  expect(leaks, `answers that contain the ${secret} (where)`).to.deep.equal([]);
});
