import { Prisma } from '../../generated/prisma/client';
import { appendBulkToOutbox } from '../../outbox/outbox.writer';
import { storedTraceparent } from '../../tracing/current-trace';
import type { Network } from '../domain/networks';
import { userEvent, type UserSnapshot } from '../events/line-events';
import { firstIndicator, firstLineMessages, type FirstLine } from '../events/new-line-events';
import { CURRENT_TXID } from './event-sequences';
import type { NewUserOnNetworks } from './users.repository';
import { uuidV7 } from '../../common/uuids';

/**
 * A new line; asked to be provisioned, it is due for the reconciler at once, in the trace
 * of the request that asked.
 */
export function newLine(network: Network, now: Date, provision: boolean) {
  return provision
    ? {
        network,
        statusChangedAt: now,
        desired: 'PROVISIONED' as const,
        desiredAt: now,
        round: 1,
        reconcileAt: now,
        traceParent: storedTraceparent(),
      }
    : { network, statusChangedAt: now };
}

/** Without a network, the intent is a lookup of it (due at once, in the asking request's trace). */
export function lookupIntent(networks: Network[], now: Date, provision: boolean) {
  return provision && networks.length === 0
    ? { lookupDueAt: now, lookupTraceParent: storedTraceparent() }
    : { lookupDueAt: null };
}

/**
 * An import's Idempotency-Key on each user it made (the column is unique): the key and
 * the user's place in the file, so a retry finds them all, in order.
 */
export function importKey(key: string, row: string): string {
  return `${key}#${row}`;
}

export interface BulkBatch {
  users: NewUserOnNetworks[];
  /** The first user's place among all the import's users (its import key). */
  offset: number;
  organizationId: string;
  idempotencyKey?: string;
  provision: boolean;
  now: Date;
}

/**
 * One batch of an import, in the import's transaction: its users and lines, and their
 * first events. Three statements, whatever the batch's size: the rows are new, so their
 * event sequence (1) and the lines' indicators are known here and written with them,
 * where a single registration takes them with an UPDATE of each row afterwards.
 */
export async function registerBatch(tx: Prisma.TransactionClient, batch: BulkBatch): Promise<void> {
  const { now, organizationId, provision } = batch;
  const users = batch.users.map(({ networks, ...user }, index) => ({
    ...user,
    id: uuidV7(now.getTime()),
    organizationId,
    idempotencyKey: batch.idempotencyKey
      ? importKey(batch.idempotencyKey, String(batch.offset + index))
      : null,
    ...lookupIntent(networks, now, provision),
  }));
  const snapshots = users.map((user) => snapshotOfNew(user, now));
  const lines: (FirstLine & ReturnType<typeof newLine> & { indicator: string })[] = [];
  batch.users.forEach(({ networks }, index) => {
    for (const network of networks) {
      const line = { network, status: 'NO_STATUS' as const, reason: null };
      lines.push({
        ...newLine(network, now, provision),
        ...line,
        id: uuidV7(now.getTime()),
        organizationId,
        statusChangedAt: now,
        indicator: firstIndicator(line),
        user: snapshots[index],
      });
    }
  });
  await insertUsers(tx, users, now);
  await insertLines(tx, lines);
  await appendBulkToOutbox(tx, [
    ...snapshots.map((user) => userEvent('registered', user, now)),
    ...firstLineMessages(lines, now, 'API'),
  ]);
}

type InsertedUser = Omit<NewUserOnNetworks, 'networks'> & {
  id: string;
  organizationId: string;
  idempotencyKey: string | null;
  lookupDueAt: Date | null;
  lookupTraceParent?: string | null;
};

/**
 * Users in bulk, with their first event's sequence taken: one statement of arrays
 * unnested, whatever the number (Prisma's createMany compiles and binds every value of
 * every row, 20 times slower for an import).
 */
async function insertUsers(tx: Prisma.TransactionClient, users: InsertedUser[], now: Date): Promise<void> {
  const column = <K extends keyof InsertedUser>(key: K) => users.map((user) => user[key] ?? null);
  await tx.$executeRaw`
    INSERT INTO users (id, organization_id, first_name, last_name, username, mdn, email, business_phone, company,
      customer_code, udid, service_level, messaging_app_version, status, registered_at, updated_at, lookup_due_at,
      lookup_trace_parent, idempotency_key, event_sequence, event_txid)
    SELECT id, organization_id, first_name, last_name, username, mdn, email, business_phone, company, customer_code, udid,
      service_level, messaging_app_version, 'ACTIVE'::"UserStatus", ${now}, ${now}, lookup_due_at, lookup_trace_parent,
      idempotency_key, 1, ${Prisma.raw(CURRENT_TXID)}
    FROM unnest(${column('id')}::uuid[], ${column('organizationId')}::uuid[], ${column('firstName')}::text[],
      ${column('lastName')}::text[], ${column('username')}::text[], ${column('mdn')}::text[], ${column('email')}::text[],
      ${column('businessPhone')}::text[], ${column('company')}::text[], ${column('customerCode')}::text[],
      ${column('udid')}::text[], ${column('serviceLevel')}::text[], ${column('messagingAppVersion')}::text[],
      ${column('lookupDueAt')}::timestamptz[], ${column('lookupTraceParent')}::text[], ${column('idempotencyKey')}::text[])
      AS u(id, organization_id, first_name, last_name, username, mdn, email, business_phone, company, customer_code, udid,
        service_level, messaging_app_version, lookup_due_at, lookup_trace_parent, idempotency_key)`;
}

/** New lines in bulk, as insertUsers: one statement, first event's sequence and indicator taken. */
async function insertLines(
  tx: Prisma.TransactionClient,
  lines: (FirstLine & ReturnType<typeof newLine> & { indicator: string })[],
): Promise<void> {
  if (lines.length === 0) return;
  const column = (pick: (line: (typeof lines)[number]) => unknown) => lines.map((line) => pick(line) ?? null);
  await tx.$executeRaw`
    INSERT INTO network_lines (id, user_id, organization_id, network, status_changed_at, desired, desired_at, round,
      reconcile_at, trace_parent, indicator, event_sequence, event_txid)
    SELECT id, user_id, organization_id, network, status_changed_at, desired::"DesiredState", desired_at, COALESCE(round, 0),
      reconcile_at, trace_parent, indicator::"Indicator", 1, ${Prisma.raw(CURRENT_TXID)}
    FROM unnest(${column((line) => line.id)}::uuid[], ${column((line) => line.user.id)}::uuid[],
      ${column((line) => line.organizationId)}::uuid[], ${column((line) => line.network)}::text[],
      ${column((line) => line.statusChangedAt)}::timestamptz[], ${column((line) => ('desired' in line ? line.desired : null))}::text[],
      ${column((line) => ('desiredAt' in line ? line.desiredAt : null))}::timestamptz[],
      ${column((line) => ('round' in line ? line.round : null))}::int[],
      ${column((line) => ('reconcileAt' in line ? line.reconcileAt : null))}::timestamptz[],
      ${column((line) => ('traceParent' in line ? line.traceParent : null))}::text[],
      ${column((line) => line.indicator)}::text[])
      AS l(id, user_id, organization_id, network, status_changed_at, desired, desired_at, round, reconcile_at, trace_parent,
        indicator)`;
}

/** A user just inserted by insertUsers, as its events carry it: sequence 1. */
function snapshotOfNew(user: InsertedUser, now: Date): UserSnapshot {
  return {
    id: user.id,
    organizationId: user.organizationId,
    firstName: user.firstName,
    lastName: user.lastName,
    username: user.username,
    mdn: user.mdn,
    email: user.email,
    status: 'ACTIVE',
    businessPhone: user.businessPhone ?? null,
    company: user.company ?? null,
    customerCode: user.customerCode ?? null,
    udid: user.udid ?? null,
    registeredAt: now,
    serviceLevel: user.serviceLevel ?? null,
    messagingAppVersion: user.messagingAppVersion ?? null,
    eventSequence: 1,
  };
}
