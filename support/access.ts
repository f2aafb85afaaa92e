/**
 * Who may do what: tenants with keys of their own, the calls a scenario makes with
 * them (or with no token, or the operator's), and what the proxy answered.
 *
 * Tenant ids carry the scenario id ("acme" -> acme-<sid>); keys come from the proxy
 * and passwords are made at random for the run; both are registered with
 * ScenarioSecrets so that no report shows them.
 *
 * Reach it as `world.use(Access.forScenario)`.
 */
import type { Method } from 'got';
import { ProxyApi } from './clients/proxy-api.js';
import { eventually } from './eventually.js';
import { currentProxyInstance, lastException } from './own-proxy.js';
import { ScenarioSecrets } from './secrets.js';
import type { GenroWorld } from './world.js';

export interface CallOutcome {
  /** "GET /accounts/list", as the failure messages show it. */
  call: string;
  status: number;
  contentType: string;
  body: unknown;
  /** For a 5xx: the exception the proxy logged for it, if it logged one. */
  cause?: string;
}

/** Enough lines to hold the whole log of a proxy during one scenario. */
const LOG_LINES = 1_000_000;

type Query = Record<string, string | number | boolean | undefined>;

/** Where a secret value occurs in a JSON value, as paths ("client_auth.token"). */
export function pathsHolding(value: unknown, secret: string, path = ''): string[] {
  if (typeof value === 'string') return value.includes(secret) ? [path || '(the whole body)'] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => pathsHolding(item, secret, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => pathsHolding(inner, secret, path ? `${path}.${key}` : key));
  }
  return [];
}

export class Access {
  private readonly keys = new Map<string, string>();
  /** The calls of the last "When": what each one answered. */
  outcomes: CallOutcome[] = [];

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): Access {
    return new Access(world);
  }

  private get secrets(): ScenarioSecrets {
    return this.world.use(ScenarioSecrets.forScenario);
  }

  /** The id of a tenant named in the feature: "acme" -> acme-<sid>. */
  tenantId(name: string): string {
    return `${name}-${this.world.sid}`;
  }

  /** Creates the tenant with the operator's token and keeps the key the proxy returns once. */
  async createTenant(name: string, fields: Record<string, unknown> = {}): Promise<string> {
    const id = this.tenantId(name);
    const admin = this.world.proxy;
    const tenant = await admin.tenants.add({ id, name: `${name} of ${this.world.sid}`, ...fields });
    this.world.teardown.push(`delete tenant ${id}`, async () => {
      await admin.tenants.delete(id);
    });
    if (!tenant.api_key) throw new Error(`the proxy returned no api_key for the new tenant ${id}`);
    this.setKey(name, tenant.api_key);
    return id;
  }

  setKey(name: string, key: string): void {
    this.keys.set(name, key);
    this.secrets.register(`${name}'s key`, key);
  }

  key(name: string): string {
    const key = this.keys.get(name);
    if (!key) throw new Error(`tenant "${name}" has no key in this scenario`);
    return key;
  }

  /** The proxy's API, called with the tenant's key. */
  as(name: string): ProxyApi {
    return this.world.proxy.as(this.key(name));
  }

  /** The proxy's API with no token at all, or with any token. */
  withToken(token: string | null): ProxyApi {
    return this.world.proxy.as(token);
  }

  /** Makes one call and records its outcome; never throws on an HTTP error. */
  async call(api: ProxyApi, method: Method, path: string, input: { json?: unknown; query?: Query } = {}): Promise<CallOutcome> {
    const proxy = currentProxyInstance(this.world);
    const logBefore = proxy.logTail(LOG_LINES).length;
    const response = await api.raw(method, path, input);
    const outcome: CallOutcome = {
      call: `${method} ${path}`,
      status: response.status,
      contentType: String(response.headers['content-type'] ?? '(none)'),
      body: response.body,
    };
    if (response.status >= 500) outcome.cause = await this.loggedCause(() => proxy.logTail(LOG_LINES).slice(logBefore));
    this.outcomes.push(outcome);
    return outcome;
  }

  /** The exception the proxy logs for a 5xx; uvicorn writes it just after the answer, so wait for it briefly. */
  private async loggedCause(newLog: () => string): Promise<string | undefined> {
    try {
      return await eventually(
        { description: 'the proxy to log the exception behind its 5xx answer', timeoutMs: 5000, intervalMs: 50 },
        () => lastException(newLog()),
        (cause) => cause !== undefined,
      );
    } catch {
      return undefined;
    }
  }

  /** Starts a new series of calls (one "When"). */
  reset(): void {
    this.outcomes = [];
  }

  /** A one-line account of a call, without its body (bodies may hold secrets). */
  static describe(outcome: CallOutcome): string {
    return `${outcome.call}: HTTP ${outcome.status} ${outcome.contentType.split(';')[0]}${outcome.cause ? ` (proxy log: ${outcome.cause})` : ''}`;
  }
}
