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
}
