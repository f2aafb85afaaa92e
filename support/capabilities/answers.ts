/**
 * What the proxy answered to the calls of the last "When": each call is a typed ProxyApi
 * call run through `ProxyApi.attempt()`, so a refusal or a 500 is recorded instead of
 * thrown. For a 5xx, the exception the proxy logged for it is kept as its cause, so that
 * a failure names the real fault ("proxy log: ValueError: ...").
 *
 * Reach it as `world.use(Answers.forScenario)`; tenant keys, stored secrets and the API's
 * answers to bad input (support/capabilities/tenant-keys.ts, stored-secrets.ts, api-input.ts)
 * record their calls here.
 */
import type { Answer, ProxyApi } from '../clients/proxy-api.js';
import { eventually } from '../base/eventually.js';
import { currentProxyInstance, lastException } from './own-proxy.js';
import type { GenroWorld } from '../cucumber/world.js';

export interface RecordedAnswer extends Answer {
  /** For a 5xx: the exception the proxy logged for it, if it logged one. */
  cause?: string;
}

/** Enough lines to hold the whole log of a proxy during one scenario. */
const LOG_LINES = 1_000_000;

export class Answers {
  /** The calls of the last "When", in order. */
  all: RecordedAnswer[] = [];

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): Answers {
    return new Answers(world);
  }

  /** Starts a new series of calls (one "When"). */
  reset(): void {
    this.all = [];
  }

  get last(): RecordedAnswer {
    const last = this.all.at(-1);
    if (!last) throw new Error('no call was made in this scenario');
    return last;
  }

  /** Makes one typed call on `api`, records what the proxy answered, and returns it; never throws on an HTTP error. */
  async record(api: ProxyApi, typedCall: (api: ProxyApi) => Promise<unknown>): Promise<RecordedAnswer> {
    const proxy = currentProxyInstance(this.world);
    const logBefore = proxy.logTail(LOG_LINES).length;
    const answer: RecordedAnswer = await api.attempt(typedCall);
    if (answer.status >= 500) answer.cause = await this.loggedCause(() => proxy.logTail(LOG_LINES).slice(logBefore));
    this.all.push(answer);
    return answer;
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

  /** A one-line account of a call, without its body (bodies may hold secrets). */
  static describe(this: void, answer: RecordedAnswer): string {
    return `${answer.call}: HTTP ${answer.status} ${answer.contentType.split(';')[0]}${answer.cause ? ` (proxy log: ${answer.cause})` : ''}`;
  }
}
