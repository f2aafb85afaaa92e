/**
 * A static web server in the test process, one per worker (`session.use`), serving
 * folders the way an operator's nginx or Apache serves a download folder
 * (`location /attachments/ { alias /var/www/downloads/attachments/; }`): a GET or HEAD
 * of `<base URL>/<path>` answers the file `<folder>/<path>`, whatever the query string
 * says; a path that names no file (a folder, nothing, or a way out of the folder) is 404.
 * It checks no token: the docs leave checking a signed link to the operator's server.
 *
 * Each scenario publishes its own folders under `/<sid>/…` (`serveFolder`), dropped by its
 * teardown. The base URL uses the address the server listens on, which the test process
 * (the reader of the mail) reaches; the proxy never calls it. Every request is recorded.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve, sep } from 'node:path';
import type { StackSession } from '../stack/session.js';

export interface WebRequest {
  at: number;
  method: string;
  /** The path, without the query string. */
  path: string;
  query: string;
  status: number;
}

export class WebServer {
  /** URL path prefix (`/<sid>/<name>/`) → the folder it serves. */
  private readonly folders = new Map<string, string>();
  private readonly recorded: WebRequest[] = [];
  private readonly server: Server;
  private readonly listening: Promise<number>;

  constructor(private readonly listenHost = '127.0.0.1') {
    this.server = createServer((req, res) => this.serve(req, res));
    this.listening = new Promise((done, fail) => {
      this.server.once('error', fail);
      this.server.listen(0, listenHost, () => done((this.server.address() as AddressInfo).port));
    });
  }

  static forSession(session: StackSession): WebServer {
    const server = new WebServer(session.endpoints.partners.listenHost);
    session.teardown.push('stop the web server of download folders', () => server.close());
    return server;
  }

  /** The file a request path names, or undefined: only regular files inside a served folder. */
  private fileFor(path: string): string | undefined {
    for (const [prefix, folder] of this.folders) {
      if (!path.startsWith(prefix)) continue;
      let segments: string[];
      try {
        segments = path.slice(prefix.length).split('/').map((s) => decodeURIComponent(s));
      } catch {
        return undefined;
      }
      if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\0'))) return undefined;
      const file = resolve(folder, ...segments);
      if (!file.startsWith(folder + sep)) return undefined;
      try {
        return statSync(file).isFile() ? file : undefined;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const [path = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s);
    const method = req.method ?? 'GET';
    const file = method === 'GET' || method === 'HEAD' ? this.fileFor(path) : undefined;
    const status = file ? 200 : method === 'GET' || method === 'HEAD' ? 404 : 405;
    this.recorded.push({ at: Date.now(), method, path, query, status });
    req.resume();
    if (!file) {
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(status === 404 ? 'not found' : 'method not allowed');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': statSync(file).size });
    if (method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  }

  /**
   * Publishes `folder` at `<base>/<sid>/<name>` and returns that URL (no trailing slash);
   * `forget(sid)` takes every folder of the scenario away.
   */
  async serveFolder(sid: string, name: string, folder: string): Promise<string> {
    const prefix = `/${encodeURIComponent(sid)}/${encodeURIComponent(name)}/`;
    this.folders.set(prefix, resolve(folder));
    return `http://${this.listenHost}:${await this.listening}${prefix.slice(0, -1)}`;
  }

  forget(sid: string): void {
    for (const prefix of this.folders.keys()) if (prefix.startsWith(`/${encodeURIComponent(sid)}/`)) this.folders.delete(prefix);
  }

  /** The requests under the scenario's prefix, in order. */
  requestsOf(sid: string): WebRequest[] {
    return this.recorded.filter((r) => r.path.startsWith(`/${encodeURIComponent(sid)}/`));
  }

  async close(): Promise<void> {
    await this.listening.catch(() => undefined);
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}
