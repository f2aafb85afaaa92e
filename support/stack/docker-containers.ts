/**
 * The containers of the `docker` provider that the suite handles one by one: a proxy
 * (the compose service `proxy`, or a further container of its image) and a further
 * Mailpit, each with its log followed into reports/logs/<worker>/. Used by
 * support/stack/docker.ts, which starts them.
 */
import { appendFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { ContainerRuntimeClient, WaitStrategy } from 'testcontainers';
import { eventually, GiveUp } from '../base/eventually.js';
import { httpOk } from '../base/net.js';
import { tailOfFile } from './process.js';
import { hostPortFromInspect, PORTS } from './docker-compose-model.js';
import type { HostPort, ProxyEndpoint, ProxyInstance, RunningProxyOptions, SinkInstance } from './types.js';

/** What a container handle needs of the provider: the engine, where the test process reaches published ports, deadlines. */
export interface ContainerHost {
  readonly engine: ContainerRuntimeClient;
  /** The host the test process uses for published ports (127.0.0.1 for a local engine). */
  readonly publishedHost: string;
  readonly startTimeoutMs: number;
}

/**
 * Follows a container's log (stdout and stderr) into a file, appended synchronously, so
 * that the tail read right after a line arrived holds it. Following again after a
 * restart appends to the same file: the log of a proxy spans its restarts, as the
 * local stack's does.
 */
export class ContainerLog {
  private stream: Readable | undefined;

  constructor(
    readonly service: string,
    readonly path: string,
  ) {
    appendFileSync(path, '');
  }

  /** Follows the container's log from `since` (seconds since the epoch, with a fraction) or from its beginning. */
  async follow(engine: ContainerRuntimeClient, containerId: string, since?: number): Promise<void> {
    this.stream?.destroy();
    const stream = await engine.container.logs(engine.container.getById(containerId), since === undefined ? undefined : { since });
    this.stream = stream;
    stream.on('data', (chunk: Buffer | string) => appendFileSync(this.path, chunk.toString()));
    stream.on('error', () => {
      // The container went away; what was read is in the file.
    });
  }

  tail(lines: number): string {
    return tailOfFile(this.path, lines);
  }

  close(): void {
    this.stream?.destroy();
    this.stream = undefined;
  }
}

/**
 * A wait strategy that returns at once: the provider waits itself (DockerProxy.waitReady),
 * so that a container that exits or reports a failed start-up is seen at once, with its log.
 */
export function noWait(timeoutMs: number): WaitStrategy {
  return {
    waitUntilReady: async () => undefined,
    withStartupTimeout() {
      return this;
    },
    isStartupTimeoutSet: () => true,
    getStartupTimeout: () => timeoutMs,
  };
}

/** The container's start time in seconds since the epoch, for following its log from there. */
async function startedAt(engine: ContainerRuntimeClient, containerId: string): Promise<number> {
  const info = await engine.container.inspect(engine.container.getById(containerId));
  return Date.parse(info.State.StartedAt) / 1000;
}

/**
 * A proxy container. stop() stops it and keeps it (its database is in it); restart()
 * starts it again, or stops and starts it when it runs. `endpoint` is one object whose
 * baseUrl follows the container's published port, so clients holding it follow a
 * restart. The provider removes the container when the stack stops.
 */
export class DockerProxy implements ProxyInstance {
  readonly endpoint: ProxyEndpoint;
  private running = true;

  constructor(
    private readonly host: ContainerHost,
    readonly containerId: string,
    readonly service: string,
    hostPort: number,
    token: string,
    readonly options: RunningProxyOptions,
    private readonly log: ContainerLog,
  ) {
    this.endpoint = { baseUrl: `http://${host.publishedHost}:${hostPort}`, token };
  }

  private get handle() {
    return this.host.engine.container.getById(this.containerId);
  }

  /** SIGTERM, and SIGKILL after 5 s, as the local stack stops its proxy; the container is kept. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.host.engine.container.stop(this.handle, { timeout: 5_000 });
  }

  /** Starts the stopped container again, on the same database; stops it first if it runs. */
  async restart(): Promise<void> {
    await this.stop();
    await this.host.engine.container.start(this.handle);
    this.running = true;
    await this.log.follow(this.host.engine, this.containerId, await startedAt(this.host.engine, this.containerId));
    await this.waitReady();
  }

  /**
   * Until the proxy answers /health, as the local provider waits for its process: it
   * gives up at once, with the end of the log, when the container has exited or the
   * proxy logged that its start-up failed. The published port is read again (a compose
   * service's port may change when its container starts again).
   */
  async waitReady(): Promise<void> {
    await eventually({ description: `${this.service} to become ready`, timeoutMs: this.host.startTimeoutMs, intervalMs: 100 }, async () => {
      const info = await this.host.engine.container.inspect(this.handle);
      if (!info.State.Running) {
        throw new GiveUp(`${this.service} exited with code ${info.State.ExitCode}.\n--- last lines of ${this.log.path} ---\n${this.log.tail(25)}`);
      }
      // uvicorn logs this and normally exits; on PostgreSQL 0.7.0 sometimes lingers instead (its pool retries).
      if (this.log.tail(60).includes('Application startup failed')) {
        throw new GiveUp(`${this.service} reported that its start-up failed.\n--- last lines of its log ---\n${this.log.tail(25)}`);
      }
      const port = hostPortFromInspect(info.NetworkSettings.Ports, PORTS.proxy);
      if (port === undefined) return false;
      this.endpoint.baseUrl = `http://${this.host.publishedHost}:${port}`;
      return httpOk(`${this.endpoint.baseUrl}/health`);
    });
  }

  logTail(lines = 40): string {
    return this.log.tail(lines);
  }
}

/** A further Mailpit container. stop() removes it: a sink is never started again. */
export class DockerSink implements SinkInstance {
  private removed = false;

  constructor(
    private readonly host: ContainerHost,
    readonly containerId: string,
    readonly apiUrl: string,
    readonly smtpForProxy: HostPort,
    private readonly log: ContainerLog,
  ) {}

  async stop(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    this.log.close();
    await this.host.engine.container.getById(this.containerId).remove({ force: true, v: true });
  }
}
