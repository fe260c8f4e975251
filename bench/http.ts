/**
 * A lean HTTP client for the benchmark (node:http with keep-alive, so the client spends as little of the machine's
 * CPU as possible). Every request goes to 127.0.0.1 only.
 */
import { Agent, request } from 'node:http';

export interface HttpResult {
  status: number;
  body: string;
  ms: number;
}

export class Http {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(baseUrl: string, maxSockets = 64) {
    this.base = new URL(baseUrl);
    if (this.base.hostname !== '127.0.0.1') throw new Error(`benchmark traffic goes to 127.0.0.1 only, not ${this.base.hostname}`);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  send(method: string, path: string, body?: string, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<HttpResult> {
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: Number(this.base.port),
          method,
          path,
          agent: this.agent,
          headers: body === undefined ? headers : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** JSON request with the admin bearer key; throws on an unexpected status. */
  async admin<T>(method: string, path: string, key: string, body?: unknown, expect: number[] = [200, 201]): Promise<T> {
    const res = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), { authorization: `Bearer ${key}` });
    if (!expect.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}
