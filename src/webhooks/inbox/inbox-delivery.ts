import type { Network } from '../../lines/domain/networks';

/** Who sent a delivery: a carrier network or the SMS gateway. */
export type DeliverySource = Network | 'sms';

/** The payload ids (and order keys) of the SMS gateway's delivery receipts start so. */
export const RECEIPT_PREFIX = 'receipt:';

/** A verified delivery as the request stores it. */
export interface InboxDelivery {
  source: DeliverySource;
  /** The payload's own id (`callbackId`, `messageId`). */
  payloadId: string;
  /** The sender's `webhook-id`. */
  webhookId: string;
  /** The number it is about: deliveries about one number apply in arrival order. */
  orderKey: string;
  /** The parsed body, as JSON. */
  payload: Record<string, unknown>;
}

/** A delivery claimed by the worker. */
export interface StoredDelivery {
  source: DeliverySource;
  payloadId: string;
  payload: Record<string, unknown>;
  attempts: number;
  receivedAt: Date;
  traceParent: string | null;
  orderKey: string;
  /** Its place in the inbox (a bigint, as text). */
  seq: string;
}

/**
 * How a delivery ended:
 * - `applied`: it changed the line;
 * - `not_applied`: kept in the line's history only (older than the line's status, or a
 *   move the status table refuses);
 * - `not_found`: no live line has that number;
 * - `refused`: its payload no longer reads (a contract changed under a stored delivery);
 * - `failed`: it kept failing and was given up after the last attempt (logged).
 */
export const DELIVERY_OUTCOMES = ['applied', 'not_applied', 'not_found', 'refused', 'failed'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];
