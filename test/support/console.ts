/**
 * A member of staff signed in to the console, at the HTTP level, through the real flow: a member with a unique address
 * is added to the staff directory (`POST /staff`, admin key), asks for a sign-in link (`POST /console/login`), the
 * link is read from the SES emulator's store, its one-button page opened and its form POSTed; the session cookie is
 * kept and the CSRF token read from a signed-in page's form.
 *
 * `get`/`post` never follow redirects (a 303's `location` is in `headers`); `post` adds the session's `csrf` unless
 * the fields carry one. Each client connects from a loopback address of its own (as the portal's helper does), so
 * the per-client sign-in limit of one test file never throttles another's.
 */
import { CONSOLE_COOKIE } from '../../shared/domain/console/session-rules.ts';
import { browserRequest, decodeEntities, freshClientIp, hiddenFields } from './portal.ts';
import { api, eventually, sentMail, unique } from './stack.ts';

export interface ConsoleResponse {
  status: number;
  headers: Headers;
  text: string;
}

export type ConsoleFields = Record<string, string | string[]>;

export interface ConsoleClient {
  staffId: string;
  email: string;
  name: string;
  role: 'collector' | 'viewer';
  /** The session's CSRF token (every signed-in form's hidden `csrf`). */
  csrf: string;
  /** The session cookie's value (`console_session=<cookie>`). */
  cookie: string;
  /** The loopback address this client connects from. */
  ip: string;
  get(path: string, options?: { at?: Date }): Promise<ConsoleResponse>;
  post(path: string, fields: ConsoleFields, options?: { at?: Date }): Promise<ConsoleResponse>;
}

/** The subject of the console's sign-in mail. */
export const CONSOLE_LOGIN_SUBJECT = 'Your console sign-in link';

/**
 * One request to the local stack: a form body when `form` is given, the console cookie when `cookie` is, from the
 * loopback address `ip`, at `at` (time travel: the gateway's X-Local-Time). Redirects are not followed.
 */
export async function consoleRequest(
  method: 'GET' | 'POST',
  path: string,
  options: { cookie?: string; form?: ConsoleFields; ip?: string; at?: Date; headers?: Record<string, string> } = {},
): Promise<ConsoleResponse> {
  const { cookie, ...rest } = options;
  const res = await browserRequest(method, path, { ...rest, ...(cookie !== undefined ? { cookie: `${CONSOLE_COOKIE}=${cookie}` } : {}) });
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (v === undefined) continue;
    for (const value of Array.isArray(v) ? v : [v]) headers.append(k, value);
  }
  return { status: res.status, headers, text: res.body };
}

/** The console session cookie a response sets (undefined when it sets none; '' when it clears it). */
export function consoleCookieOf(res: ConsoleResponse): string | undefined {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const eq = (pair ?? '').indexOf('=');
    if ((pair ?? '').slice(0, eq).trim() === CONSOLE_COOKIE) return /max-age=0/i.test(c) ? '' : (pair ?? '').slice(eq + 1).trim();
  }
  return undefined;
}

/** The CSRF token of a signed-in console page (any of its forms: the header's sign-out form has one). */
export function consoleCsrfOf(page: string): string {
  const m = /<input type="hidden" name="csrf" value="([^"]+)">/.exec(page);
  if (!m) throw new Error('no csrf field on the page');
  return decodeEntities(m[1] as string);
}

/** The console sign-in links mailed to an address, oldest first, once at least `count` have arrived. */
export async function consoleSignInLinks(email: string, count = 1): Promise<string[]> {
  const mails = await eventually(async () => {
    const found = (await sentMail(email)).filter((m) => m.subject === CONSOLE_LOGIN_SUBJECT);
    return found.length >= count ? found : undefined;
  }, 8000, `${count} console sign-in mail(s) to ${email}`);
  return mails.flatMap((m) => m.body.text.match(/https?:\/\/\S+\/console\/session\?\S+/g) ?? []);
}

/** Adds a member to the staff directory through the admin API (a unique address unless one is given). */
export async function newStaffMember(input: { role?: 'collector' | 'viewer'; name?: string; email?: string } = {}) {
  const email = input.email ?? `${unique('staff')}@example.com`.toLowerCase();
  const res = await api('POST', '/staff', { email, name: input.name ?? 'Alex Collector', role: input.role ?? 'collector' });
  if (res.status !== 201 && res.status !== 200) throw new Error(`staff member not added: ${res.status} ${res.text}`);
  return res.body as { id: string; email: string; name: string; role: 'collector' | 'viewer' };
}

/** Asks for a sign-in link for `email` and answers the newest link mailed (path and query, for the local stack). */
export async function mailedConsoleLink(email: string, ip = freshClientIp()): Promise<string> {
  const before = (await sentMail(email)).filter((m) => m.subject === CONSOLE_LOGIN_SUBJECT).length;
  const login = await consoleRequest('POST', '/console/login', { form: { email }, ip });
  if (login.status !== 200) throw new Error(`console login answered ${login.status}`);
  const link = new URL((await consoleSignInLinks(email, before + 1)).at(-1) as string);
  return link.pathname + link.search;
}

/** Signs a (new, unique) member of staff in through the real flow; see the module comment. */
export async function consoleSignIn(input: { role?: 'collector' | 'viewer'; name?: string; email?: string } = {}): Promise<ConsoleClient> {
  const member = await newStaffMember(input);
  const ip = freshClientIp();
  const linkPath = await mailedConsoleLink(member.email, ip);
  const page = await consoleRequest('GET', linkPath, { ip });
  if (page.status !== 200) throw new Error(`console session page answered ${page.status}`);
  const started = await consoleRequest('POST', '/console/session', { form: hiddenFields(page.text, '/console/session'), ip });
  const cookie = consoleCookieOf(started);
  if (started.status !== 303 || !cookie) throw new Error(`console session POST answered ${started.status}: ${started.text.slice(0, 300)}`);
  // Any signed-in page carries the CSRF token (the header's sign-out form), whether or not /console is built yet.
  const home = await consoleRequest('GET', '/console', { cookie, ip });
  const csrf = consoleCsrfOf(home.text);
  return {
    staffId: member.id,
    email: member.email,
    name: member.name,
    role: member.role,
    csrf,
    cookie,
    ip,
    get: (path, options = {}) => consoleRequest('GET', path, { cookie, ip, ...options }),
    post: (path, fields, options = {}) => consoleRequest('POST', path, { cookie, ip, form: { csrf, ...fields }, ...options }),
  };
}
