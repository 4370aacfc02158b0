// A real HTTP server on 127.0.0.1 standing in for a partner's webhook endpoint: records every
// request and answers from a script (status, delay, redirect, hang, dropped connection).
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. "/hooks/a". */
  path: string;
  /** Path with the query string, as sent. */
  url: string;
  /** Lower-cased header names (node:http). */
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** body parsed as JSON, or undefined when empty or not JSON. */
  json: unknown;
  /** Date.now() when the request line and headers arrived. */
  receivedAt: number;
  /** Date.now() when the body was complete (the request is recorded at this moment). */
  completedAt: number;
}

export interface ScriptedResponse {
  /** Default 200, or 307 when `redirectTo` is set. */
  status?: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON. */
  body?: string | Buffer | object;
  /** Wait this long before answering (the client sees a slow endpoint). */
  delayMs?: number;
  /** Sets Location (and status 307 unless `status` says otherwise). */
  redirectTo?: string;
  /** Never answer; the socket stays open until the client gives up or close() is called. */
  hang?: boolean;
  /** Destroy the connection without any response (the client sees a reset / socket hang up). */
  drop?: boolean;
}

interface Waiter {
  count: number;
  path: string | undefined;
  resolve: (requests: RecordedRequest[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class WebhookSink {
  private readonly recorded: RecordedRequest[] = [];
  private readonly globalQueue: ScriptedResponse[] = [];
  private readonly pathQueues = new Map<string, ScriptedResponse[]>();
  private readonly pathDefaults = new Map<string, ScriptedResponse>();
  private fallback: ScriptedResponse = { status: 200 };
  private readonly waiters = new Set<Waiter>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<WebhookSink> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const sink = new WebhookSink(server, (server.address() as AddressInfo).port);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => sink.handle(req, res));
    server.on('connection', (socket: Socket) => {
      sink.sockets.add(socket);
      socket.once('close', () => sink.sockets.delete(socket));
    });
    return sink;
  }

  /** e.g. "http://127.0.0.1:41234" */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  urlFor(path: string): string {
    return `${this.url}${path.startsWith('/') ? path : `/${path}`}`;
  }

  /** Copies of everything recorded so far, in arrival (body complete) order. */
  get requests(): RecordedRequest[] {
    return [...this.recorded];
  }

  requestsFor(path: string): RecordedRequest[] {
    return this.recorded.filter((r) => r.path === path);
  }

  /** Queues one-shot responses for any path, used after the path's own queue is empty. */
  enqueue(...responses: ScriptedResponse[]): this {
    this.globalQueue.push(...responses);
    return this;
  }

  /** Queues one-shot responses for one path (matched without query string); they take precedence. */
  enqueueFor(path: string, ...responses: ScriptedResponse[]): this {
    const queue = this.pathQueues.get(path) ?? [];
    queue.push(...responses);
    this.pathQueues.set(path, queue);
    return this;
  }

  /** The response once all queues are empty, for one path or (without path) for all. Initially 200. */
  setDefault(response: ScriptedResponse, path?: string): this {
    if (path === undefined) this.fallback = response;
    else this.pathDefaults.set(path, response);
    return this;
  }

  /**
   * Resolves with the recorded requests (for `path`, if given) once at least `count` arrived;
   * rejects after `timeoutMs` saying how many did.
   */
  waitFor(count: number, timeoutMs = 5000, path?: string): Promise<RecordedRequest[]> {
    const matching = this.matching(path);
    if (matching.length >= count) return Promise.resolve(matching);
    if (this.closed) return Promise.reject(new Error('webhook sink is closed'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        count,
        path,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const got = this.matching(path);
          const seen = got.map((r) => `${r.method} ${r.url}`).join(', ') || 'none';
          reject(
            new Error(
              `webhook sink: expected at least ${count} request(s)${path ? ` to ${path}` : ''} within ${timeoutMs} ms, got ${got.length} (${seen})`,
            ),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Forgets recorded requests and every scripted response (the fallback goes back to 200). */
  reset(): void {
    this.recorded.length = 0;
    this.globalQueue.length = 0;
    this.pathQueues.clear();
    this.pathDefaults.clear();
    this.fallback = { status: 200 };
  }

  /** Stops listening, cuts hanging/delayed requests and rejects pending waitFor() calls. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`webhook sink closed while waiting for ${waiter.count} request(s)`));
    }
    this.waiters.clear();
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await stopped;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = req.url ?? '/';
      const path = url.split('?')[0] ?? '/';
      this.recorded.push({
        method: req.method ?? 'GET',
        path,
        url,
        headers: req.headers,
        body,
        json: parseJson(body),
        receivedAt,
        completedAt: Date.now(),
      });
      this.respond(res, this.nextResponse(path));
      this.notifyWaiters();
    });
  }

  private nextResponse(path: string): ScriptedResponse {
    return (
      this.pathQueues.get(path)?.shift() ?? this.globalQueue.shift() ?? this.pathDefaults.get(path) ?? this.fallback
    );
  }

  private respond(res: ServerResponse, response: ScriptedResponse): void {
    if (response.hang) return;
    const send = (): void => {
      if (response.drop) {
        res.socket?.destroy();
        return;
      }
      const headers: Record<string, string> = { ...response.headers };
      let body: string | Buffer = '';
      if (Buffer.isBuffer(response.body) || typeof response.body === 'string') body = response.body;
      else if (response.body !== undefined) {
        body = JSON.stringify(response.body);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
          headers['content-type'] = 'application/json';
      }
      if (response.redirectTo !== undefined) headers.location = response.redirectTo;
      const status = response.status ?? (response.redirectTo !== undefined ? 307 : 200);
      res.writeHead(status, headers).end(body);
    };
    if (!response.delayMs) return send();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, response.delayMs);
    this.timers.add(timer);
  }

  private notifyWaiters(): void {
    for (const waiter of this.waiters) {
      const matching = this.matching(waiter.path);
      if (matching.length < waiter.count) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve(matching);
    }
  }

  private matching(path: string | undefined): RecordedRequest[] {
    return path === undefined ? this.requests : this.requestsFor(path);
  }
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
