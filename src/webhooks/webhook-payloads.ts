import { z } from 'zod';
import { ValidationFailedError } from '../common/errors/domain-error';

const instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time' })
  .transform((value) => new Date(value));
const id = z.string().min(1).max(200);
const mdn = z.string().min(3).max(32);

export const carrierCallbackSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('provisioning.updated'),
    callbackId: id,
    occurredAt: instant,
    mdn,
    status: z.enum(['ENABLED', 'DISABLED', 'UNABLE_TO_PROVISION', 'NOT_COMMUNICATING']),
    reason: z.string().max(500).optional(),
  }),
  z.object({ type: z.literal('activity.seen'), callbackId: id, occurredAt: instant, mdn }),
  z.object({ type: z.literal('number.ported_out'), callbackId: id, occurredAt: instant, mdn }),
]);
export type CarrierCallback = z.infer<typeof carrierCallbackSchema>;

export const smsReplySchema = z.object({
  messageId: id,
  from: mdn,
  text: z.string().max(2000),
  receivedAt: instant,
});
export type SmsReply = z.infer<typeof smsReplySchema>;

/** The SMS gateway's delivery receipt for a text it took (signed with the SMS secret). */
export const smsDeliverySchema = z.object({
  receiptId: id,
  messageId: id,
  status: z.enum(['DELIVERED', 'UNDELIVERED', 'FAILED']),
  reason: z.string().min(1).max(200).optional(),
  occurredAt: instant,
});
export type SmsDelivery = z.infer<typeof smsDeliverySchema>;

/** Parses a verified body, listing every bad field the same way as the rest of the API. */
export function parsePayload<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new ValidationFailedError(
    parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || 'body', reason: issue.message })),
  );
}
