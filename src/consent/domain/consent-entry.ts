import { createHash, createHmac } from 'node:crypto';

export const CONSENT_ENTRY_KINDS = [
  'TEXT_SENT',
  'REPLY_RECEIVED',
  'CONSENT_GIVEN',
  'CONSENT_REVOKED',
  'REMINDER_SENT',
  'HELP_ANSWERED',
  'CONFIRMATION_SENT',
  'DELIVERY_REPORTED',
  'ROUND_RESTARTED',
] as const;
export type ConsentEntryKind = (typeof CONSENT_ENTRY_KINDS)[number];

/** SUBSCRIBER: a reply; ADMIN: an administrator's action; CARRIER: the gateway's receipt; SYSTEM: a text the service sent. */
export const CONSENT_SOURCES = ['SUBSCRIBER', 'ADMIN', 'CARRIER', 'SYSTEM'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/** Kinds whose entry is a text the service sent (a delivery receipt may answer it). */
export const TEXT_KINDS: readonly ConsentEntryKind[] = [
  'TEXT_SENT',
  'REMINDER_SENT',
  'HELP_ANSWERED',
  'CONFIRMATION_SENT',
];

/** What an entry says, before it is chained; every field but the kind, line and time is optional. */
export interface ConsentFacts {
  organizationId: string;
  userId: string;
  lineId: string;
  mdnHash: string;
  kind: ConsentEntryKind;
  source: ConsentSource;
  occurredAt: Date;
  messageText?: string | null;
  templateVersion?: string | null;
  gatewayMessageId?: string | null;
  deliveryStatus?: string | null;
  deliveryReason?: string | null;
  refersTo?: bigint | null;
  replyText?: string | null;
  replyReading?: string | null;
  actor?: string | null;
  dedupeKey: string;
}

/** An entry as stored. */
export interface ConsentEntry extends Required<ConsentFacts> {
  id: bigint;
  recordedAt: Date;
  prevHash: string | null;
  hash: string;
}

/**
 * The hash that chains a line's entries: SHA-256 over the previous entry's hash and this
 * entry's fields, in a fixed order. Changing, removing or reordering an entry breaks
 * every hash after it (the database refuses changes anyway; the chain shows any made
 * behind its back, by the owner or on the disk).
 */
export function entryHash(prevHash: string | null, facts: ConsentFacts): string {
  const fields = [
    prevHash ?? '',
    facts.organizationId,
    facts.userId,
    facts.lineId,
    facts.mdnHash,
    facts.kind,
    facts.source,
    facts.occurredAt.toISOString(),
    facts.messageText ?? '',
    facts.templateVersion ?? '',
    facts.gatewayMessageId ?? '',
    facts.deliveryStatus ?? '',
    facts.deliveryReason ?? '',
    facts.refersTo?.toString() ?? '',
    facts.replyText ?? '',
    facts.replyReading ?? '',
    facts.actor ?? '',
    facts.dedupeKey,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

export type ChainCheck =
  { intact: true; entries: number } | { intact: false; entries: number; brokenAt: bigint; why: string };

/**
 * Checks a line's entries, oldest first. The first entry kept may point at an entry the
 * retention purge removed: its previous hash is taken as given.
 */
export function verifyChain(entries: readonly ConsentEntry[]): ChainCheck {
  let previous: string | null | undefined;
  for (const entry of entries) {
    if (previous !== undefined && entry.prevHash !== previous) {
      return {
        intact: false,
        entries: entries.length,
        brokenAt: entry.id,
        why: 'does not follow the entry before it',
      };
    }
    if (entryHash(entry.prevHash, entry) !== entry.hash) {
      return {
        intact: false,
        entries: entries.length,
        brokenAt: entry.id,
        why: 'its fields do not match its hash',
      };
    }
    previous = entry.hash;
  }
  return { intact: true, entries: entries.length };
}

/** The MDN as the ledger keeps it: a keyed hash, so the record names no number after the user is gone. */
export function mdnHash(key: string, e164: string): string {
  return createHmac('sha256', key).update(e164).digest('hex');
}
