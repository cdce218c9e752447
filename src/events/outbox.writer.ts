import type { Prisma } from '../generated/prisma/client';
import type { OutboxMessage } from './event-messages';

/** Appends events inside the caller's transaction: they commit, or vanish, with the change. */
export async function appendToOutbox(tx: Prisma.TransactionClient, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await tx.outboxEvent.createMany({
    data: messages.map((message) => ({
      eventId: message.eventId,
      eventType: message.eventType,
      key: message.key,
      payload: Buffer.from(message.payload),
    })),
  });
}
