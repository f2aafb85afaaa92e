/**
 * The API as a whole (docs/api_reference.rst, "FastAPI"; docs/protocol.rst, "Error
 * handling"): its own description, and what it answers to a command it does not have.
 *
 * Reach it as `world.use(ApiSurface.forScenario)`.
 */
import { expect } from 'chai';
import { Answers } from './answers.js';
import type { GenroWorld } from '../cucumber/world.js';

export class ApiSurface {
  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): ApiSurface {
    return new ApiSurface(world);
  }

  private get answers(): Answers {
    return this.world.use(Answers.forScenario);
  }

  /** Reads (recorded) the OpenAPI description and the two documentation pages. */
  async readDescription(): Promise<void> {
    this.answers.reset();
    await this.answers.record(this.world.proxy, (a) => a.apiDescription.openapi());
    await this.answers.record(this.world.proxy, (a) => a.apiDescription.page('/docs'));
    await this.answers.record(this.world.proxy, (a) => a.apiDescription.page('/redoc'));
  }

  /**
   * The OpenAPI description is JSON, names its OpenAPI version, and lists the routes the
   * application submits and lists messages with, each with the method it is called with;
   * the Swagger UI and ReDoc pages answer HTML.
   */
  assertDescribesMessageRoutes(): void {
    const [openapi, docs, redoc] = this.answers.all;
    expect([openapi, docs, redoc].map((a) => a && Answers.describe(a)), 'the answers')
      .to.deep.equal(['GET /openapi.json: HTTP 200 application/json', 'GET /docs: HTTP 200 text/html', 'GET /redoc: HTTP 200 text/html']);
    const description = openapi!.body as { openapi?: unknown; paths?: Record<string, Record<string, unknown>> };
    expect(description.openapi, 'the OpenAPI version of the description').to.be.a('string').and.match(/^3\./);
    const paths = description.paths ?? {};
    expect({ submit: Object.keys(paths['/messages/add_batch'] ?? {}), list: Object.keys(paths['/messages/list'] ?? {}) }, `the message routes in the description (it lists ${Object.keys(paths).length} paths)`)
      .to.deep.equal({ submit: ['post'], list: ['get'] });
  }

  /** Calls (recorded) a command the proxy does not have. */
  async callUnknownCommand(): Promise<void> {
    this.answers.reset();
    await this.answers.record(this.world.proxy, (a) => a.unknownCommand(`/messages/launch_${this.world.sid}`));
  }

  /** The answer is a JSON error that says the command is unknown: a 4xx with {"ok": false, "error": "unknown command"}. */
  assertUnknownCommandError(): void {
    const answer = this.answers.last;
    expect(Answers.describe(answer), 'the answer').to.match(/: HTTP 4\d\d application\/json$/);
    expect(answer.body, 'the JSON error').to.deep.equal({ ok: false, error: 'unknown command' });
  }

  /**
   * Calls every route the release's docs name (protocol.rst "REST command surface",
   * usage.rst "Endpoints", api_reference.rst, appendix_endpoints.rst, monitoring.rst,
   * multi_tenancy.rst), each as the docs call it, for the scenario's own tenant, account and
   * message; returns those that answer 404 or 405, the answers of a route that is not there.
   * The scenario runs on a proxy of its own: the suspend and activate commands act on the
   * whole proxy.
   */
  /** What findMissingRoutes() found. */
  private missingRoutes: string[] | undefined;

  async findMissingRoutes(): Promise<void> {
    this.missingRoutes = await this.documentedRoutesMissing();
  }

  assertNoRouteMissing(): void {
    if (this.missingRoutes === undefined) throw new Error('the documented routes were not called in this scenario');
    if (this.missingRoutes.length > 0) throw new Error(`routes the docs name that answer 404 or 405 (not there): ${this.missingRoutes.join(', ')}`);
  }

  private async documentedRoutesMissing(): Promise<string[]> {
    const w = this.world;
    const tenant = w.tenantId!;
    const account = w.accountId!;
    const message = w.draft('routes');
    const spare = `${tenant}-spare`;
    const calls: [string, string, Record<string, unknown>?][] = [
      ['GET', '/status'],
      ['POST', '/commands/add-messages', { messages: [message] }],
      ['GET', `/messages?tenant_id=${tenant}`],
      ['GET', `/messages/${message.id}/events?tenant_id=${tenant}`],
      ['POST', '/commands/run-now', {}],
      ['POST', '/commands/suspend', {}],
      ['POST', '/commands/activate', {}],
      ['GET', `/accounts?tenant_id=${tenant}`],
      ['POST', '/account', { id: `${account}-spare`, tenant_id: tenant, host: w.session.endpoints.mailpit.smtpForProxy.host, port: w.session.endpoints.mailpit.smtpForProxy.port, use_tls: false }],
      ['DELETE', `/account/${account}-spare?tenant_id=${tenant}`],
      ['GET', '/tenants'],
      ['GET', `/tenant/${tenant}`],
      ['PUT', `/tenant/${tenant}`, { name: `Scenario ${w.sid}` }],
      ['GET', '/tenants/sync-status'],
      ['POST', '/tenant', { id: spare, name: 'Spare tenant' }],
      ['POST', `/tenant/${spare}/api-key`, {}],
      ['DELETE', `/tenant/${spare}/api-key`],
      ['DELETE', `/tenant/${spare}`],
      ['POST', '/commands/delete-messages', { tenant_id: tenant, ids: [message.id] }],
      ['POST', '/commands/cleanup-messages', { tenant_id: tenant, older_than_seconds: 86_400 }],
      ['GET', '/command-log'],
      ['GET', '/command-log/export'],
      ['GET', '/instance'],
      ['POST', '/instance/reload-bounce', {}],
    ];
    const missing: string[] = [];
    for (const [method, path, json] of calls) {
      const [route, query] = path.split('?') as [string, string | undefined];
      const answer = await w.proxy.raw(method as 'GET', route, {
        json,
        query: query ? Object.fromEntries(new URLSearchParams(query)) : undefined,
      });
      if (answer.status === 404 || answer.status === 405) missing.push(`${method} ${route.replaceAll(w.sid, '<sid>')}`);
    }
    return missing;
  }
}

