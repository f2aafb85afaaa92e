/**
 * A mail server that takes the connection and then says nothing: no greeting, no reply,
 * for as long as the scenario runs. A proxy that waited for SMTP while it queues a
 * message would wait on it for its whole connection timeout.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { HostPort } from '../stack/types.js';

export class SilentSmtpServer {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((socket) => {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  });

  /** How many connections the proxy opened. */
  get connections(): number {
    return this.sockets.size;
  }

  async listen(where: { listenHost: string; hostForProxy: string }): Promise<HostPort> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, where.listenHost, () => resolve());
    });
    return { host: where.hostForProxy, port: (this.server.address() as AddressInfo).port };
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
