/**
 * One genro-mail-proxy of the local stack: a launcher process (stack/launcher.py) started,
 * restarted and stopped by the `local` provider (support/stack/local.ts), ready when it
 * answers /health.
 */
import { GiveUp } from '../base/eventually.js';
import { httpOk } from '../base/net.js';
import type { StackProcess } from './process.js';
import type { ProxyEndpoint, ProxyInstance, ProxyOptions, RunningProxyOptions } from './types.js';

/** What a LocalProxy needs of its provider (the `local` provider implements it), so that the two modules do not import each other. */
export interface LocalProxyHost {
  /**
   * Starts one launcher process (spawned, or forked by the fork server) on the provider's
   * teardown stack and waits until `ready` says yes.
   */
  startProxyProcess(
    name: string,
    options: RunningProxyOptions,
    settings: { db: string; port: number; token: string },
    ready: (proc: StackProcess) => Promise<boolean>,
  ): Promise<StackProcess>;
}

export class LocalProxy implements ProxyInstance {
  readonly endpoint: ProxyEndpoint;
  private proc: StackProcess | undefined;

  constructor(
    private readonly provider: LocalProxyHost,
    private readonly name: string,
    readonly options: RunningProxyOptions & Required<Pick<ProxyOptions, 'database' | 'retryDelays'>>,
    private readonly settings: { db: string; port: number; token: string },
  ) {
    this.endpoint = { baseUrl: `http://127.0.0.1:${settings.port}`, token: settings.token };
  }

  async start(): Promise<void> {
    this.proc = await this.provider.startProxyProcess(this.name, this.options, this.settings, async (proc) => {
      // uvicorn logs this and normally exits; on PostgreSQL 0.7.0 sometimes lingers instead (its pool retries).
      if (proc.logTail(60).includes('Application startup failed')) {
        throw new GiveUp(`${this.name} reported that its start-up failed.\n--- last lines of its log ---\n${proc.logTail(25)}`);
      }
      return httpOk(`${this.endpoint.baseUrl}/health`);
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
  }

  logTail(lines = 40): string {
    return this.proc?.logTail(lines) ?? '(not started)';
  }
}
