import type { Prisma } from '../generated/prisma/client';
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
 * The bulk form, for thousands of events at once (the staleness sweep): one set-based
 * statement whatever the number. createMany sends 20,000 rows as many parameterised
 * chunks and made the sweep about 3.5 times slower; four arrays unnested is one round
 * trip. Payloads travel as a text array of base64, decoded by the database.
 */
export async function appendBulkToOutbox(
  tx: Prisma.TransactionClient,
  messages: OutboxMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  // A message's own trace, else the work's (none for the sweep, which serves no request).
  const traceParent = storedTraceparent() ?? null;
  try {
    await tx.$executeRaw`
      INSERT INTO outbox_events (event_id, event_type, key, organization_id, payload, trace_parent)
      SELECT event_id, event_type, key, organization_id, decode(payload, 'base64'), trace_parent FROM unnest(
        ${messages.map((message) => message.eventId)}::uuid[],
        ${messages.map((message) => message.eventType)}::text[],
        ${messages.map((message) => message.key)}::text[],
        ${messages.map((message) => message.organizationId)}::uuid[],
        ${messages.map((message) => Buffer.from(message.payload).toString('base64'))}::text[],
        ${messages.map((message) => message.traceParent ?? traceParent)}::text[])
        AS e(event_id, event_type, key, organization_id, payload, trace_parent)`;
  } finally {
    // Thousands of payloads: Prisma's debug history is not to keep them alive.
    forgetPrismaDebugHistory();
  }
}
