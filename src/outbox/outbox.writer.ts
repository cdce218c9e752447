import type { Prisma } from '../generated/prisma/client';
import type { SqlTransaction } from '../database/database.service';
import { forgetPrismaDebugHistory } from '../database/prisma-debug-history';
import { storedTraceparent } from '../tracing/current-trace';
import type { OutboxMessage } from './outbox-message';

/**
 * The one way into the outbox: events are appended inside the caller's transaction, so
 * they commit, or vanish, with the change they describe. Each keeps the trace of the work
 * that wrote it (a request, or a reconciler step in its intent's trace) for Kafka's headers.
 */
export async function appendToOutbox(tx: Prisma.TransactionClient, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const traceParent = storedTraceparent();
  await tx.outboxEvent.createMany({
    data: messages.map((message) => ({
      eventId: message.eventId,
      eventType: message.eventType,
      key: message.key,
      organizationId: message.organizationId,
      payload: Buffer.from(message.payload),
      traceParent: message.traceParent ?? traceParent,
    })),
  });
}

/**
 * The bulk form, for thousands of events at once (the staleness sweep, imports, inbox
 * batches): one set-based statement whatever the number. createMany sends 20,000 rows as
 * many parameterised chunks and made the sweep about 3.5 times slower; arrays unnested is
 * one round trip. The payloads travel as one bytea, each row's cut from it by offset: as
 * a text array of base64 (before), the driver escaped and the database parsed every
 * element, and the all-due sweep took about 15 % longer. `tx` is a Prisma transaction or,
 * for the sweep, one whose statements `pg` sends itself (DatabaseService).
 */
export async function appendBulkToOutbox(
  tx: Prisma.TransactionClient | SqlTransaction,
  messages: OutboxMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  // A message's own trace, else the work's (none for the sweep, which serves no request).
  const traceParent = storedTraceparent() ?? null;
  const payloads = messages.map((message) => message.payload);
  // Where each payload starts in the joined bytes (SQL's substring counts from 1).
  const starts: number[] = [];
  let at = 1;
  for (const payload of payloads) {
    starts.push(at);
    at += payload.byteLength;
  }
  const params = [
    Buffer.concat(payloads),
    messages.map((message) => message.eventId),
    messages.map((message) => message.eventType),
    messages.map((message) => message.key),
    messages.map((message) => message.organizationId),
    starts,
    payloads.map((payload) => payload.byteLength),
    messages.map((message) => message.traceParent ?? traceParent),
  ];
  if ('execute' in tx) {
    await tx.execute(BULK_INSERT, params);
    return;
  }
  try {
    await tx.$executeRawUnsafe(BULK_INSERT, ...params);
  } finally {
    // Thousands of payloads: Prisma's debug history is not to keep them alive.
    forgetPrismaDebugHistory();
  }
}

const BULK_INSERT = `
  INSERT INTO outbox_events (event_id, event_type, key, organization_id, payload, trace_parent)
  SELECT event_id, event_type, key, organization_id, substring($1::bytea FROM start FOR length), trace_parent
  FROM unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::int[], $7::int[], $8::text[])
    AS e(event_id, event_type, key, organization_id, start, length, trace_parent)`;
