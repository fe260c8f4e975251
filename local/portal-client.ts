/**
 * A customer in the portal without a browser, for `npm run simulate`: signs in through the routes as a browser does
 * (the sign-in form, the link from the mail in the SES inbox, the one-button page's POST → the session cookie), then
 * posts the portal's forms with the session's CSRF token. Every request can carry the simulated time (`X-Local-Time`).
 */
import type { StackDriver } from './time-travel.ts';

export interface PortalResponse {
  status: number;
  location?: string;
  text: string;
}

export class PortalClient {
  private cookies = new Map<string, string>();
  private csrf = '';

  constructor(
    private readonly driver: StackDriver,
    private readonly base = driver.info.apiUrl,
  ) {}

  private async request(method: 'GET' | 'POST', path: string, form?: Record<string, string | string[]>, at?: string): Promise<PortalResponse> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form ?? {})) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    const res = await fetch(new URL(path, this.base), {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(at ? { 'x-local-time': at } : {}),
      },
      ...(form ? { body } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(text)?.[1];
    if (csrf) this.csrf = csrf;
    return { status: res.status, text, ...(res.headers.get('location') ? { location: res.headers.get('location') as string } : {}) };
  }

  get(path: string, at?: string): Promise<PortalResponse> {
    return this.request('GET', path, undefined, at);
  }

  /** Posts a signed-in form (the CSRF token of the last page is added). */
  post(path: string, form: Record<string, string | string[]>, at?: string): Promise<PortalResponse> {
    return this.request('POST', path, { ...form, csrf: this.csrf }, at);
  }

  /** The sign-in form → the mailed link → its one button: a session. Throws when a step does not answer as it should. */
  async signIn(email: string, at?: string): Promise<void> {
    const known = (await this.driver.mails(email)).length;
    const sent = await this.request('POST', '/portal/login', { email }, at);
    if (sent.status !== 200) throw new Error(`portal sign-in form: ${sent.status}`);
    let link: string | undefined;
    const deadline = Date.now() + 15_000;
    while (!link && Date.now() < deadline) {
      const mails = (await this.driver.mails(email)).slice(known);
      link = mails.map((m) => /href="([^"]*\/portal\/session\?[^"]+)"/.exec(m.body.html)?.[1]).find(Boolean)?.replace(/&amp;/g, '&');
      if (!link) await new Promise((r) => setTimeout(r, 100));
    }
    if (!link) throw new Error('no sign-in mail arrived');
    const url = new URL(link);
    const page = await this.request('GET', `${url.pathname}${url.search}`, undefined, at);
    if (page.status !== 200) throw new Error(`the mailed sign-in link: ${page.status}`);
    const fields = Object.fromEntries([...page.text.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1] as string, (m[2] as string).replace(/&amp;/g, '&')]));
    const session = await this.request('POST', '/portal/session', fields, at);
    if (session.status !== 303 || !this.cookies.size) throw new Error(`continuing to the account: ${session.status}`);
    // The overview, as the redirect leads a browser there: its forms carry the session's CSRF token.
    const overview = await this.get('/portal', at);
    if (overview.status !== 200 || !this.csrf) throw new Error(`the account overview: ${overview.status}`);
  }

  async signOut(at?: string): Promise<void> {
    await this.post('/portal/logout', {}, at);
  }
}
