import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { Prisma } from '../../generated/prisma/client';
import type { ConsentEntryKind } from '../domain/consent-entry';

/** A text the service owes a subscriber, as the reconciler claims it. */
export interface OwedText {
  id: string;
  organizationId: string;
  userId: string;
  lineId: string;
  kind: ConsentEntryKind;
  text: string;
  templateVersion: string;
  key: string;
  traceParent: string | null;
  /** The user's number now; a deleted user's owed texts are dropped, not sent. */
  mdn: string;
  userDeleted: boolean;
}

export type NewOwedText = Omit<OwedText, 'id' | 'mdn' | 'userDeleted'> & { dueAt: Date };

/** The statement that owes a text (also run in the ledger's append transaction). */
export function oweText(text: NewOwedText): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO subscriber_texts (id, organization_id, user_id, line_id, kind, text, template_version, key, due_at, trace_parent)
    VALUES (gen_random_uuid(), ${text.organizationId}::uuid, ${text.userId}::uuid, ${text.lineId}::uuid,
      ${text.kind}::"ConsentEntryKind", ${text.text}, ${text.templateVersion}, ${text.key}, ${text.dueAt}, ${text.traceParent})
    ON CONFLICT (key) DO NOTHING`;
}

/** The queue of owed texts: recorded with what calls for them, claimed like lines, removed once sent. */
@Injectable()
export class SubscriberTextsRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Owes a text; the same key twice is one text. */
  async owe(text: NewOwedText): Promise<void> {
    await this.database.run(
      (db) =>
        db.$executeRaw`
      INSERT INTO subscriber_texts (id, organization_id, user_id, line_id, kind, text, template_version, key, due_at, trace_parent)
      VALUES (gen_random_uuid(), ${text.organizationId}::uuid, ${text.userId}::uuid, ${text.lineId}::uuid,
        ${text.kind}::"ConsentEntryKind", ${text.text}, ${text.templateVersion}, ${text.key}, ${text.dueAt}, ${text.traceParent})
      ON CONFLICT (key) DO NOTHING`,
    );
  }

  /** Takes up to `limit` due texts, pushing them past a lease so no other replica takes them meanwhile. */
  claimDue(now: Date, leaseMs: number, limit: number): Promise<OwedText[]> {
    const until = new Date(now.getTime() + leaseMs);
    return this.database.run(
      (db) => db.$queryRaw<OwedText[]>`
      WITH due AS (
        SELECT id FROM subscriber_texts WHERE due_at <= ${now}
        ORDER BY due_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
      )
      UPDATE subscriber_texts AS t SET due_at = ${until}
      FROM due, users AS u
      WHERE t.id = due.id AND u.id = t.user_id
      RETURNING t.id, t.organization_id AS "organizationId", t.user_id AS "userId", t.line_id AS "lineId",
        t.kind::text AS kind, t.text, t.template_version AS "templateVersion", t.key,
        t.trace_parent AS "traceParent", u.mdn, (u.status = 'DELETED') AS "userDeleted"`,
    );
  }

  async retryAt(id: string, at: Date): Promise<void> {
    await this.database.run((db) => db.subscriberText.updateMany({ where: { id }, data: { dueAt: at } }));
  }

  async done(id: string): Promise<void> {
    await this.database.run((db) => db.subscriberText.deleteMany({ where: { id } }));
  }
}
