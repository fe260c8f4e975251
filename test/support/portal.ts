/**
 * A customer's browser for the portal, at the HTTP level: a cookie jar, forms followed like a browser (action and
 * hidden fields), and a client address of its own (each client connects from its own 127.0.0.x, so the per-client
 * sign-in limit of one test never throttles another). Time travel with `at` (the gateway's X-Local-Time).
 */
import { request } from 'node:http';
import { eventually, sentMail, stack } from './stack.ts';

export interface PortalResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  setCookies: string[];
  body: string;
}

let nextIp = 10;
/** A fresh loopback address for a new client (127.0.0.10, .11, …; per worker process offset by its pid). */
export function freshClientIp(): string {
  nextIp += 1;
  return `127.${(process.pid % 200) + 1}.${Math.floor(nextIp / 250) % 250}.${(nextIp % 250) + 1}`;
}

export const decodeEntities = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/**
 * One request to the local stack as a browser sends it: a urlencoded form when `form` is given (repeated fields as
 * arrays), the `Cookie` header when `cookie` is, from the loopback address `ip`, at `at` (the gateway's X-Local-Time).
 * Redirects are not followed. The portal's client and the console's (./console.ts) both send through it.
 */
export function browserRequest(
  method: 'GET' | 'POST',
  path: string,
  options: { form?: Record<string, string | string[]>; at?: Date; headers?: Record<string, string>; cookie?: string; ip?: string } = {},
): Promise<PortalResponse> {
  const url = new URL(path, stack.apiUrl);
  let body: string | undefined;
  if (options.form) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.form)) for (const value of Array.isArray(v) ? v : [v]) params.append(k, value);
    body = params.toString();
  }
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (options.cookie) headers.cookie = options.cookie;
  if (options.at) headers['x-local-time'] = options.at.toISOString();
  return new Promise<PortalResponse>((resolve, reject) => {
    const req = request(url, { method, headers, ...(options.ip ? { localAddress: options.ip } : {}) }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => {
        const setCookie = r.headers['set-cookie'] ?? [];
        resolve({ status: r.statusCode ?? 0, headers: r.headers, setCookies: setCookie, body: Buffer.concat(chunks).toString('utf8') });
      });
      r.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export class PortalClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly ip: string = freshClientIp()) {}

  async send(method: 'GET' | 'POST', path: string, options: { form?: Record<string, string | string[]>; at?: Date; headers?: Record<string, string> } = {}): Promise<PortalResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await browserRequest(method, path, { ...options, ip: this.ip, ...(cookie ? { cookie } : {}) });
    for (const c of res.setCookies) {
      const [pair] = c.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq).trim();
      const value = (pair ?? '').slice(eq + 1).trim();
      if (/max-age=0/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string, options: { at?: Date; headers?: Record<string, string> } = {}) {
    return this.send('GET', path, options);
  }

  post(path: string, form: Record<string, string | string[]>, options: { at?: Date } = {}) {
    return this.send('POST', path, { ...options, form });
  }

  /** The CSRF token of a signed-in page (any of its forms). */
  static csrfOf(page: string): string {
    const m = /<input type="hidden" name="csrf" value="([^"]+)">/.exec(page);
    if (!m) throw new Error('no csrf field on the page');
    return decodeEntities(m[1] as string);
  }
}

/** The first form posting to `action` on a page: its hidden fields. */
export function hiddenFields(page: string, action: string): Record<string, string> {
  const forms = [...page.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
  const form = forms.find((f) => decodeEntities(f[1] as string) === action);
  if (!form) throw new Error(`no form posting to ${action}`);
  const fields: Record<string, string> = {};
  for (const m of (form[2] as string).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1] as string] = decodeEntities(m[2] as string);
  return fields;
}

/** The sign-in links in the sign-in mails sent to an address (newest last). */
export async function signInLinks(email: string, count = 1): Promise<string[]> {
  const mails = await eventually(async () => {
    const found = (await sentMail(email)).filter((m) => /^(Your sign-in link|Ihr Anmeldelink)$/.test(m.subject));
    return found.length >= count ? found : undefined;
  }, 8000, `${count} sign-in mail(s) to ${email}`);
  return mails.flatMap((m) => m.body.text.match(/https?:\/\/\S+\/portal\/session\?\S+/g) ?? []);
}

/** Signs a customer in through the real flow: login form → mailed link → one-button page → its POST. */
export async function signIn(email: string, client = new PortalClient()): Promise<{ client: PortalClient; csrf: string; overview: PortalResponse }> {
  const before = (await sentMail(email)).filter((m) => /^(Your sign-in link|Ihr Anmeldelink)$/.test(m.subject)).length;
  const login = await client.post('/portal/login', { email });
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  const links = await signInLinks(email, before + 1);
  const link = links[links.length - 1] as string;
  const page = await client.get(new URL(link).pathname + new URL(link).search);
  if (page.status !== 200) throw new Error(`session page answered ${page.status}`);
  const started = await client.post('/portal/session', hiddenFields(page.body, '/portal/session'));
  if (started.status !== 303) throw new Error(`session POST answered ${started.status}: ${started.body.slice(0, 300)}`);
  const overview = await client.get('/portal');
  if (overview.status !== 200) throw new Error(`overview answered ${overview.status}`);
  return { client, csrf: PortalClient.csrfOf(overview.body), overview };
}
