/** Signed links for tests: signed the way our mails sign them (key `v1` = the stack's link secret). */
import { linkUrl, signLinkToken, issueLinkToken, type LinkKeys, type LinkTarget } from '../../shared/domain/links.ts';
import { handler as payLinkHandler } from '../../functions/pay-link/handler.ts';
import { buildHttpEvent } from '../../local/gateway.ts';
import { stack } from './stack.ts';

export function testLinkKeys(): LinkKeys {
  return { current: 'v1', secrets: { v1: stack.linkSigningSecret } };
}

/** A link's token: issued now (or at `now`) for the purpose's lifetime, or with an explicit expiry (a past one → expired). */
export function linkToken(target: LinkTarget, options: { version?: number; now?: Date; expiresAt?: Date } = {}): string {
  const version = options.version ?? 0;
  return options.expiresAt
    ? signLinkToken(testLinkKeys(), target, { version, expiresAt: options.expiresAt })
    : issueLinkToken(testLinkKeys(), target, version, options.now ?? new Date());
}

/** The full URL on the test stack (or `base`). */
export function signedLink(target: LinkTarget, options: { version?: number; now?: Date; expiresAt?: Date; base?: string; r?: number } = {}): string {
  return linkUrl(options.base ?? stack.apiUrl, target, linkToken(target, options), options.r !== undefined ? { r: options.r } : {});
}

/** A pay link for an invoice of a customer whose links were never revoked. */
export function payLink(invoiceId: string, options: { version?: number; now?: Date; expiresAt?: Date; base?: string } = {}): string {
  return signedLink({ purpose: 'pay', id: invoiceId }, options);
}

/** POST /pay/{id}/checkout for a pay link, through the pay-link handler, as the card button on its page sends it. */
export async function pressCardButton(link: URL, invoiceId: string): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> {
  const event = buildHttpEvent(
    { method: 'POST', url: new URL(`${link.origin}${link.pathname}/checkout${link.search}`), headers: {}, body: Buffer.alloc(0), sourceIp: '127.0.0.1' },
    'POST /pay/{invoiceId}/checkout',
    { invoiceId },
    new Date(),
  );
  return (await payLinkHandler(event, {} as never)) as { statusCode: number; headers: Record<string, string>; body: string };
}
