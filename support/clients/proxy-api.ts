/**
 * Over 300 lines on purpose: one typed client for the whole HTTP API, its payload types next to the routes that use them.
 *
 * Typed client for genro-mail-proxy's HTTP API (routes and what they answer: docs/sut-0.7.0.md, "HTTP routes the suite calls").
 * Every call is recorded (method, path, status, body) for the report's evidence.
 * A non-2xx answer throws ProxyApiError with the status and the body; a scenario that
 * looks at the answer itself (a refusal, a 500) wraps the typed call in attempt().
 *
 * Longer than 300 lines on purpose: it is the one map of the API (a typed method per
 * route, with its payload types), and one file keeps the routes and their types together.
 */
import got, { type Method } from 'got';
import { Agent } from 'node:http';
import { redactValue } from '../base/redact.js';
import type { ProxyEndpoint } from '../stack/types.js';

export class ProxyApiError extends Error {
  override name = 'ProxyApiError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${path} answered HTTP ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
  }
}

export interface Exchange {
  at: string;
  method: string;
  path: string;
  request?: unknown;
  status: number;
  /** The Content-Type of the answer, "(none)" when it had none. */
  contentType?: string;
  response: unknown;
}

/** What the proxy answered to one call, 2xx or not (see ProxyApi.attempt). */
export interface Answer {
  /** The route called, without its query: "GET /accounts/list". */
  call: string;
  status: number;
  /** The Content-Type of the answer, "(none)" when it had none. */
  contentType: string;
  /** The body as the proxy sent it, parsed when it is JSON; not redacted. */
  body: unknown;
}

export interface ClientAuth {
  method: 'bearer' | 'basic' | 'none';
  token?: string;
  user?: string;
  password?: string;
}

export interface TenantInput {
  id: string;
  name?: string;
  client_base_url?: string | null;
  client_sync_path?: string | null;
  client_attachment_path?: string | null;
  client_auth?: ClientAuth | null;
  rate_limits?: Record<string, unknown> | null;
  large_file_config?: Record<string, unknown> | null;
  active?: boolean;
}

export interface Tenant extends Required<Omit<TenantInput, 'name' | 'active'>> {
  name: string | null;
  active: boolean;
  suspended_batches: string | null;
  api_key?: string;
}

export interface AccountInput {
  id: string;
  tenant_id: string;
  host: string;
  port: number;
  user?: string | null;
  password?: string | null;
  use_tls?: boolean;
  batch_size?: number | null;
  limit_per_minute?: number | null;
  limit_per_hour?: number | null;
  limit_per_day?: number | null;
  limit_behavior?: 'defer' | 'reject';
}

export interface Account extends AccountInput {
  pk: string;
  is_pec_account?: boolean;
  imap_host?: string | null;
  imap_port?: number | null;
  imap_user?: string | null;
  imap_password?: string | null;
  imap_folder?: string | null;
}

/** POST /accounts/add_pec (EE): an SMTP account plus the IMAP mailbox its PEC receipts arrive in. */
export interface PecAccountInput extends AccountInput {
  imap_host: string;
  imap_port?: number;
  imap_user?: string | null;
  imap_password?: string | null;
  imap_folder?: string;
}

/** POST /instance/set_bounce_config (EE): every field optional. */
export interface BounceConfigInput {
  enabled?: boolean;
  imap_host?: string;
  imap_port?: number;
  imap_user?: string;
  imap_password?: string;
  imap_folder?: string;
  imap_ssl?: boolean;
  poll_interval?: number;
  return_path?: string | null;
}

/** A tenant's named storage (POST /storages/add): "local" everywhere, "s3", "gcs" or "azure" with EE. */
export interface StorageInput {
  tenant_id: string;
  name: string;
  protocol: 'local' | 's3' | 'gcs' | 'azure';
  config?: Record<string, unknown>;
}

export interface Storage extends Required<StorageInput> {
  pk: string;
}

/** GET /instance/get_bounce_config (EE): the stored settings, password left out. */
export interface BounceConfig {
  ok: boolean;
  enabled: boolean;
  imap_host: string | null;
  imap_port: number;
  imap_user: string | null;
  imap_folder: string;
  imap_ssl: boolean;
  poll_interval: number;
  return_path: string | null;
  imap_password?: unknown;
}

export interface Attachment {
  filename?: string;
  storage_path: string;
  fetch_mode?: 'base64' | 'http_url' | 'endpoint' | 'filesystem';
  mime_type?: string;
  content_md5?: string;
  auth?: ClientAuth;
}

/** One item of POST /messages/add_batch. */
export interface OutgoingMessage {
  id: string;
  tenant_id: string;
  account_id: string;
  from: string;
  to: string[] | string;
  subject: string;
  body?: string;
  content_type?: 'plain' | 'html';
  cc?: string[];
  bcc?: string[];
  reply_to?: string;
  return_path?: string;
  message_id?: string;
  priority?: number;
  deferred_ts?: number;
  batch_code?: string;
  attachments?: Attachment[];
  headers?: Record<string, string | null>;
}

export interface AddBatchResult {
  ok: boolean;
  queued: number;
  rejected: { id: string | null; reason: string }[];
}

export type MessageStatus = 'pending' | 'deferred' | 'sent' | 'error';

export interface HistoryEvent {
  event_id: number;
  event_type: string;
  event_ts: number;
  description: string | null;
  metadata: Record<string, unknown> | null;
  reported_ts: number | null;
}

/** The outcomes of delivery attempts in a message's history (sent, error, deferred), oldest first. */
export function attemptEvents(record: Pick<MessageRecord, 'history'>): HistoryEvent[] {
  return (record.history ?? []).filter((e) => ['sent', 'error', 'deferred'].includes(e.event_type)).sort((a, b) => a.event_id - b.event_id);
}

export interface MessageRecord {
  pk: string;
  id: string;
  tenant_id: string;
  account_id: string;
  priority: number;
  batch_code: string | null;
  deferred_ts: number | null;
  smtp_ts: number | null;
  is_pec: boolean;
  status: MessageStatus;
  message: Omit<OutgoingMessage, 'id' | 'tenant_id' | 'account_id'>;
  error?: string | null;
  error_ts?: number | null;
  history?: HistoryEvent[];
}

export interface SyncStatus {
  ok: boolean;
  tenants: { id: string; name: string | null; active: boolean; client_base_url: string | null; last_sync_ts: number | null; next_sync_due: boolean; in_dnd: boolean }[];
  sync_interval_seconds: number;
}

export interface SuspensionState {
  ok: boolean;
  tenant_id: string;
  suspended_batches: string[];
}

/**
 * No keep-alive: after an unhandled exception (a 500) uvicorn closes the connection,
 * and a pooled socket reused right after it fails with "socket hang up".
 */
const agent = { http: new Agent({ keepAlive: false }) };

/** One command of the audit log; the export leaves out the id and the response. */
export interface CommandLogEntry {
  id?: number;
  command_ts: number;
  endpoint: string;
  tenant_id: string | null;
  payload: unknown;
  response_status?: number;
}

export interface ApiKeyAnswer {
  ok: boolean;
  tenant_id: string;
  api_key: string;
  message: string;
}

export class ProxyApi {
  readonly exchanges: Exchange[] = [];

  constructor(
    readonly endpoint: ProxyEndpoint,
    private readonly token: string | null = endpoint.token,
  ) {}

  /** The same proxy, called with another X-API-Token (or none). */
  as(token: string | null): ProxyApi {
    const other = new ProxyApi(this.endpoint, token);
    (other as { exchanges: Exchange[] }).exchanges = this.exchanges;
    return other;
  }

  /**
   * Any route, untyped; returns status and parsed body without throwing on HTTP errors.
   * The typed methods below are built on it; scenarios use those (with attempt()).
   */
  async raw(method: Method, path: string, input?: { json?: unknown; query?: Record<string, string | number | boolean | undefined> }) {
    const searchParams = input?.query
      ? Object.fromEntries(Object.entries(input.query).filter(([, v]) => v !== undefined)) as Record<string, string | number | boolean>
      : undefined;
    const response = await got(`${this.endpoint.baseUrl}${path}`, {
      method,
      json: input?.json,
      searchParams,
      headers: this.token === null ? {} : { 'X-API-Token': this.token },
      throwHttpErrors: false,
      agent,
      retry: { limit: 0 },
      timeout: { request: 30_000 },
    });
    let body: unknown = response.body;
    if ((response.headers['content-type'] ?? '').includes('application/json')) {
      try {
        body = JSON.parse(response.body);
      } catch {
        // keep the text
      }
    }
    const pathWithQuery = searchParams ? `${path}?${new URLSearchParams(Object.entries(searchParams).map(([k, v]) => [k, String(v)]))}` : path;
    this.exchanges.push({
      at: new Date().toISOString(),
      method,
      path: pathWithQuery,
      request: input?.json === undefined ? undefined : redactValue(input.json),
      status: response.statusCode,
      contentType: String(response.headers['content-type'] ?? '(none)'),
      response: redactValue(body),
    });
    return { status: response.statusCode, body, headers: response.headers };
  }

  /**
   * Runs one typed call on this client and returns what the proxy answered, without
   * throwing on an HTTP error: `api.attempt((a) => a.tenants.list())`. Inputs that are
   * wrong on purpose (a missing field, a priority that is no number) are cast to the
   * typed method's parameter.
   */
  async attempt(typedCall: (api: ProxyApi) => Promise<unknown>): Promise<Answer> {
    const before = this.exchanges.length;
    let body: unknown;
    try {
      body = await typedCall(this);
    } catch (error) {
      if (!(error instanceof ProxyApiError)) throw error;
      body = error.body;
    }
    const made = this.exchanges.slice(before);
    if (made.length !== 1) throw new Error(`attempt() runs exactly one call of this client; it made ${made.length}`);
    const [exchange] = made as [Exchange];
    return { call: `${exchange.method} ${exchange.path.split('?')[0]}`, status: exchange.status, contentType: exchange.contentType ?? '(none)', body };
  }

  private async call<T>(method: Method, path: string, input?: Parameters<ProxyApi['raw']>[2]): Promise<T> {
    const { status, body } = await this.raw(method, path, input);
    if (status < 200 || status >= 300) throw new ProxyApiError(method, path, status, body);
    return body as T;
  }

  readonly tenants = {
    add: (tenant: TenantInput) => this.call<Tenant>('POST', '/tenants/add', { json: tenant }),
    get: (tenantId: string) => this.call<Tenant>('GET', '/tenants/get', { query: { tenant_id: tenantId } }),
    list: () => this.call<Tenant[]>('GET', '/tenants/list'),
    /** Changes the given fields only (null and omitted fields are kept). */
    update: (tenantId: string, fields: Omit<Partial<TenantInput>, 'id'>) =>
      this.call<Tenant | null>('POST', '/tenants/update', { json: { tenant_id: tenantId, ...fields } }),
    delete: (tenantId: string) => this.call<boolean>('POST', '/tenants/delete', { json: { tenant_id: tenantId } }),
    /** Replaces the tenant's key; `expiresAt` in epoch seconds. */
    createApiKey: (tenantId: string, expiresAt?: number) =>
      this.call<ApiKeyAnswer>('POST', '/tenants/create_api_key', {
        json: expiresAt === undefined ? { tenant_id: tenantId } : { tenant_id: tenantId, expires_at: expiresAt },
      }),
    revokeApiKey: (tenantId: string) =>
      this.call<{ ok: boolean; tenant_id: string; message: string }>('POST', '/tenants/revoke_api_key', { json: { tenant_id: tenantId } }),
    suspendBatch: (tenantId: string, batchCode: string | null) =>
      this.call<SuspensionState>('POST', '/tenants/suspend_batch', { json: { tenant_id: tenantId, batch_code: batchCode } }),
    activateBatch: (tenantId: string, batchCode: string | null) =>
      this.call<SuspensionState>('POST', '/tenants/activate_batch', { json: { tenant_id: tenantId, batch_code: batchCode } }),
  };

  readonly accounts = {
    add: (account: AccountInput) => this.call<Account>('POST', '/accounts/add', { json: account }),
    get: (tenantId: string, accountId: string) =>
      this.call<Account>('GET', '/accounts/get', { query: { tenant_id: tenantId, account_id: accountId } }),
    /** The tenant's accounts; without a tenant id, as a tenant's key would call it (0.7.0 requires one). */
    list: (tenantId: string | undefined) => this.call<Account[]>('GET', '/accounts/list', { query: { tenant_id: tenantId } }),
    delete: (tenantId: string, accountId: string) =>
      this.call<null>('POST', '/accounts/delete', { json: { tenant_id: tenantId, account_id: accountId } }),
    /** EE: a PEC account (SMTP plus the IMAP mailbox of its receipts). */
    addPec: (account: PecAccountInput) => this.call<Account>('POST', '/accounts/add_pec', { json: account }),
    /** EE: PEC accounts of every tenant. */
    listPec: () => this.call<Account[]>('GET', '/accounts/list_pec'),
    /** EE: ids of every PEC account. */
    pecIds: () => this.call<string[]>('GET', '/accounts/get_pec_ids'),
  };

  readonly messages = {
    addBatch: (messages: OutgoingMessage[], defaultPriority?: number) =>
      this.call<AddBatchResult>('POST', '/messages/add_batch', {
        json: defaultPriority === undefined ? { messages } : { messages, default_priority: defaultPriority },
      }),
    get: (messageId: string, tenantId: string) =>
      this.call<MessageRecord>('GET', '/messages/get', { query: { message_id: messageId, tenant_id: tenantId } }),
    /** The tenant's messages; without a tenant id, 0.7.0 lists every tenant's. */
    list: (tenantId: string | undefined, options: { includeHistory?: boolean; activeOnly?: boolean } = {}) =>
      this.call<MessageRecord[]>('GET', '/messages/list', {
        query: { tenant_id: tenantId, include_history: options.includeHistory, active_only: options.activeOnly },
      }),
    deleteBatch: (tenantId: string, ids: string[]) =>
      this.call<{ ok: boolean; removed: number; not_found: string[] | null; unauthorized: string[] | null }>(
        'POST', '/messages/delete_batch', { json: { tenant_id: tenantId, ids } }),
    /** Deletes one message by its internal key (pk), which names no tenant. */
    deleteByPk: (pk: string) => this.call<boolean>('POST', '/messages/delete', { json: { message_pk: pk } }),
    /** How many of the tenant's messages wait to be sent. */
    countPendingForTenant: (tenantId: string) =>
      this.call<number>('GET', '/messages/count_pending_for_tenant', { query: { tenant_id: tenantId } }),
    /** Removes the tenant's sent and fully reported messages whose last report is older than the threshold (default 1 day). A GET. */
    cleanup: (tenantId: string, olderThanSeconds?: number) =>
      this.call<{ ok: boolean; removed: number }>('GET', '/messages/cleanup', {
        query: { tenant_id: tenantId, older_than_seconds: olderThanSeconds },
      }),
  };

  readonly storages = {
    add: (storage: StorageInput) => this.call<Storage>('POST', '/storages/add', { json: storage }),
    get: (tenantId: string, name: string) => this.call<Storage>('GET', '/storages/get', { query: { tenant_id: tenantId, name } }),
    /** The tenant's storages; without a tenant id, as a tenant's key would call it (0.7.0 requires one). */
    list: (tenantId: string | undefined) => this.call<Storage[]>('GET', '/storages/list', { query: { tenant_id: tenantId } }),
    delete: (tenantId: string, name: string) =>
      this.call<{ ok: boolean; tenant_id: string; name: string }>('POST', '/storages/delete', { json: { tenant_id: tenantId, name } }),
  };

  readonly instance = {
    status: () => this.call<{ ok: boolean; active: boolean }>('GET', '/instance/status'),
    /** The instance's settings. */
    get: () => this.call<Record<string, unknown>>('GET', '/instance/get'),
    /** Changes the given settings only. */
    update: (settings: Record<string, unknown>) => this.call<Record<string, unknown>>('POST', '/instance/update', { json: settings }),
    syncStatus: () => this.call<SyncStatus>('GET', '/instance/get_sync_status'),
    /** Suspends the tenant's sending (a batch, or all with null); logged in the command log. */
    suspend: (tenantId: string, batchCode: string | null) =>
      this.call<SuspensionState | { ok: false; error: string }>('POST', '/instance/suspend', { json: { tenant_id: tenantId, batch_code: batchCode } }),
    runNow: (tenantId?: string) => this.call<{ ok: boolean }>('POST', '/instance/run_now', { json: tenantId ? { tenant_id: tenantId } : {} }),
    /** EE: the instance's bounce mailbox settings (the password is left out). */
    getBounceConfig: () => this.call<BounceConfig>('GET', '/instance/get_bounce_config'),
    /** EE: stores bounce mailbox settings; they apply after reloadBounce(). */
    setBounceConfig: (config: BounceConfigInput) =>
      this.call<{ ok: boolean; message: string }>('POST', '/instance/set_bounce_config', { json: config }),
    /** EE: applies the stored bounce settings to the running poller. */
    reloadBounce: () => this.call<{ ok: boolean; enabled: boolean; message: string }>('POST', '/instance/reload_bounce', { json: {} }),
  };

  /** The audit log of commands (GET /command_log/list and /command_log/export); without a tenant id, every tenant's. */
  readonly commandLog = {
    list: (tenantId?: string) => this.call<CommandLogEntry[]>('GET', '/command_log/list', { query: { tenant_id: tenantId } }),
    export: (tenantId?: string) => this.call<CommandLogEntry[]>('GET', '/command_log/export', { query: { tenant_id: tenantId } }),
  };

  /** FastAPI's description of the API (OpenAPI JSON) and its two documentation pages (HTML). */
  readonly apiDescription = {
    openapi: () => this.call<{ openapi?: string; paths?: Record<string, Record<string, unknown>> }>('GET', '/openapi.json'),
    page: (path: '/docs' | '/redoc') => this.call<string>('GET', path),
  };

  /** A command the proxy does not have, called as its commands are: POST with a JSON body. */
  async unknownCommand(path: string): Promise<unknown> {
    return this.call('POST', path, { json: {} });
  }

  async health(): Promise<{ status: string }> {
    return this.call('GET', '/health');
  }

  /** The Prometheus metrics, as the text the proxy serves. */
  async metrics(): Promise<string> {
    return this.call('GET', '/metrics');
  }
}
