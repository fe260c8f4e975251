/**
 * What frames every customer mail: the business's brand (`BRANDING`) and the "View your account" link that signs this
 * customer in to the portal (`linkSigner(now).portal(customer)`: 30 days, revocable with their other links). The mail
 * renderers stay pure: services pass this in.
 */
import { branding } from '../config/runtime.ts';
import type { MailFrame } from '../domain/messages.ts';
import type { LinkHolder, LinkSigner } from './links.ts';

export function mailFrame(signer: LinkSigner, customer: LinkHolder): Required<MailFrame> {
  return { brand: branding(), portalLink: signer.portal(customer) };
}
