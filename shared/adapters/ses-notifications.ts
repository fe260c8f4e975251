/**
 * SES bounce and complaint notifications, as SNS delivers them: the configuration set's event publishing shape
 * (`eventType`) and the older identity notification shape (`notificationType`). Both carry the same `bounce`,
 * `complaint` and `mail` objects.
 *
 * Only what should stop mail to an address comes back as a bounce or complaint: permanent bounces and complaints
 * (except "not-spam" feedback). Everything else — transient or undetermined bounces, deliveries, sends, opens, a
 * subscription confirmation, a message that is not an SES notification — is "ignored", with the reason.
 */
import { z } from 'zod';

/** The tag `sendMail` puts on every mail about a customer (SES `EmailTags`), echoed in `mail.tags`. */
export const CUSTOMER_ID_TAG = 'customer_id';

export interface SesFeedback {
  kind: 'bounce' | 'complaint';
  /** Always true: only permanent bounces and complaints are returned as feedback. */
  permanent: true;
  /** Why: the bounce sub-type (`General`, `NoEmail`, `Suppressed`, `OnAccountSuppressionList`…) or the complaint's feedback type (`abuse`…; `complaint` when the receiver gave none). */
  reason: string;
  /** The addresses it is about, as SES reports them (normalise before using them as keys). */
  recipients: string[];
  /** SES's id of this bounce or complaint report. */
  feedbackId: string;
  /** SES's message id of the mail it is about (what `sendMail` returned). */
  messageId: string;
  /** When it happened (ISO 8601, UTC). */
  timestamp: string;
  /** The `customer_id` tag of the mail, when it was sent with one. */
  customerId?: string;
}

export interface SesIgnored {
  kind: 'ignored';
  /** `eventType`/`notificationType`, when there is one. */
  eventType?: string;
  /** Why nothing is to be done; never contains an address. */
  reason: string;
  messageId?: string;
}

export type SesNotification = SesFeedback | SesIgnored;

const recipient = z.object({ emailAddress: z.string().trim().min(3) });
const timestamp = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'not a date-time')
  .transform((v) => new Date(v).toISOString());

const mailSchema = z.object({
  messageId: z.string().min(1),
  /** Event publishing: tag name → values (`ses:configuration-set`, ours: `customer_id`). */
  tags: z.record(z.string(), z.array(z.string())).optional(),
});

const bounceSchema = z.object({
  bounceType: z.string(),
  bounceSubType: z.string().optional(),
  bouncedRecipients: z.array(recipient).min(1),
  timestamp,
  feedbackId: z.string().min(1),
});

const complaintSchema = z.object({
  complainedRecipients: z.array(recipient).min(1),
  timestamp,
  feedbackId: z.string().min(1),
  complaintFeedbackType: z.string().optional(),
  complaintSubType: z.string().nullish(),
});

const envelopeSchema = z.object({
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  mail: z.unknown().optional(),
  bounce: z.unknown().optional(),
  complaint: z.unknown().optional(),
});

/** Where a message failed validation: paths and codes only (zod messages may quote the input, which has addresses). */
function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`)
    .join('; ');
}

/** Parses one SNS message (a JSON string) or an already parsed object. */
export function parseSesNotification(message: unknown): SesNotification {
  let raw: unknown = message;
  if (typeof message === 'string') {
    try {
      raw = JSON.parse(message);
    } catch {
      return { kind: 'ignored', reason: 'not JSON' };
    }
  }
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) return { kind: 'ignored', reason: 'not a JSON object' };
  const eventType = envelope.data.eventType ?? envelope.data.notificationType;
  if (!eventType) return { kind: 'ignored', reason: 'not an SES notification (no eventType or notificationType)' };
  if (eventType !== 'Bounce' && eventType !== 'Complaint') {
    return { kind: 'ignored', eventType, reason: `event type ${eventType} needs no action` };
  }

  const mail = mailSchema.safeParse(envelope.data.mail);
  if (!mail.success) return { kind: 'ignored', eventType, reason: `malformed mail: ${issues(mail.error)}` };
  const messageId = mail.data.messageId;
  const customerId = mail.data.tags?.[CUSTOMER_ID_TAG]?.[0];
  const common = { permanent: true as const, messageId, ...(customerId ? { customerId } : {}) };

  if (eventType === 'Bounce') {
    const bounce = bounceSchema.safeParse(envelope.data.bounce);
    if (!bounce.success) return { kind: 'ignored', eventType, messageId, reason: `malformed bounce: ${issues(bounce.error)}` };
    const b = bounce.data;
    if (b.bounceType !== 'Permanent') {
      // Transient (mailbox full, message too large…) and Undetermined: SES retried; the address may work later.
      return { kind: 'ignored', eventType, messageId, reason: `${b.bounceType.toLowerCase()} bounce (${b.bounceSubType ?? 'no sub-type'})` };
    }
    return {
      kind: 'bounce',
      ...common,
      reason: b.bounceSubType ?? 'General',
      recipients: unique(b.bouncedRecipients.map((r) => r.emailAddress)),
      feedbackId: b.feedbackId,
      timestamp: b.timestamp,
    };
  }

  const complaint = complaintSchema.safeParse(envelope.data.complaint);
  if (!complaint.success) return { kind: 'ignored', eventType, messageId, reason: `malformed complaint: ${issues(complaint.error)}` };
  const c = complaint.data;
  if (c.complaintFeedbackType === 'not-spam') {
    // The receiver's feedback loop says the recipient marked it as not spam: no reason to stop.
    return { kind: 'ignored', eventType, messageId, reason: 'complaint with feedback type not-spam' };
  }
  return {
    kind: 'complaint',
    ...common,
    reason: c.complaintFeedbackType ?? c.complaintSubType ?? 'complaint',
    recipients: unique(c.complainedRecipients.map((r) => r.emailAddress)),
    feedbackId: c.feedbackId,
    timestamp: c.timestamp,
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
