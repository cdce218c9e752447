import { Injectable } from '@nestjs/common';
import { DatabaseService, type Db } from '../../database/database.service';
import { Prisma, type ConsentEntry as Row } from '../../generated/prisma/client';
import { entryHash, type ConsentEntry, type ConsentFacts } from '../domain/consent-entry';
import { oweText, type NewOwedText } from './subscriber-texts.repository';

/** What an export or a listing reads: one organisation's ledger, or one line's, in a time range. */
export interface LedgerFilter {
  lineId?: string;
  userId?: string;
  from?: Date;
  to?: Date;
}

/**
 * The consent ledger: appends and reads, nothing else (the database refuses the rest).
 * Appends are idempotent by their dedupe key, so a step repeated after a crash or a
 * webhook delivered twice records once; and they chain per line under a per-line
 * advisory lock, so two appends to one line never take the same previous hash.
 */
@Injectable()
export class ConsentLedgerRepository {
  constructor(private readonly database: DatabaseService) {}

  append(facts: ConsentFacts): Promise<ConsentEntry> {
    return this.database.transaction((tx) => this.appendIn(tx, facts));
  }

  /**
   * Several entries of one line, in order, atomically (a reply and the consent it gives),
   * and the text they call for (a confirmation, a HELP answer), owed in the same
   * transaction: one round trip to the database for the lot.
   */
  appendAll(facts: ConsentFacts[], owed?: NewOwedText): Promise<ConsentEntry[]> {
    return this.database.transaction((tx) => this.appendAllIn(tx, facts, owed));
  }

  /** The same, in the caller's transaction (a line's move that the entries record). */
  async appendAllIn(tx: Db, facts: ConsentFacts[], owed?: NewOwedText): Promise<ConsentEntry[]> {
    const entries: ConsentEntry[] = [];
    for (const fact of facts) entries.push(await this.appendIn(tx, fact));
    if (owed) await tx.$executeRaw(oweText(owed));
    return entries;
  }

  private async appendIn(tx: Db, facts: ConsentFacts): Promise<ConsentEntry> {
    await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended(${facts.lineId}, 7305))) AS lock`;
    const existing = await tx.consentEntry.findUnique({ where: { dedupeKey: facts.dedupeKey } });
    if (existing) return toEntry(existing);
    const last = await tx.consentEntry.findFirst({
      where: { lineId: facts.lineId },
      orderBy: { id: 'desc' },
      select: { hash: true },
    });
    const prevHash = last?.hash ?? null;
    const row = await tx.consentEntry.create({
      data: { ...withNulls(facts), prevHash, hash: entryHash(prevHash, facts) },
    });
    return toEntry(row);
  }

  async ofLine(lineId: string): Promise<ConsentEntry[]> {
    const rows = await this.database.run((db) =>
      db.consentEntry.findMany({ where: { lineId }, orderBy: { id: 'asc' } }),
    );
    return rows.map(toEntry);
  }

  /** What the line's newest consent entry says. */
  async consentOf(lineId: string): Promise<'GIVEN' | 'REVOKED' | 'NONE'> {
    const last = await this.database.run((db) =>
      db.consentEntry.findFirst({
        where: { lineId, kind: { in: ['CONSENT_GIVEN', 'CONSENT_REVOKED'] } },
        orderBy: { id: 'desc' },
        select: { kind: true },
      }),
    );
    return last ? (last.kind === 'CONSENT_GIVEN' ? 'GIVEN' : 'REVOKED') : 'NONE';
  }

  /** A user's Verizon entries (the only network with an opt-in), oldest first. */
  async ofUser(userId: string): Promise<ConsentEntry[]> {
    const rows = await this.database.run((db) =>
      db.consentEntry.findMany({ where: { userId }, orderBy: { id: 'asc' } }),
    );
    return rows.map(toEntry);
  }

  /** The text a gateway message id belongs to (a delivery receipt answers it). */
  async findText(gatewayMessageId: string): Promise<ConsentEntry | undefined> {
    const row = await this.database.run((db) =>
      db.consentEntry.findFirst({
        where: { gatewayMessageId, deliveryStatus: 'ACCEPTED' },
        orderBy: { id: 'asc' },
      }),
    );
    return row ? toEntry(row) : undefined;
  }

  /**
   * One page of the scope's ledger after `afterId`, by id (keyset: constant cost per page).
   * Raw SQL: the export reads every entry, and skipping the query engine's mapping makes it
   * about twice as fast (bench/consent-export.bench.ts).
   */
  async page(filter: LedgerFilter, afterId: bigint, limit: number): Promise<ConsentEntry[]> {
    const conditions = [Prisma.sql`id > ${afterId}`, ...filterConditions(filter)];
    return this.database.run(
      (db) => db.$queryRaw<ConsentEntry[]>`
      SELECT id, organization_id AS "organizationId", user_id AS "userId", line_id AS "lineId",
        mdn_hash AS "mdnHash", kind::text AS kind, source::text AS source, occurred_at AS "occurredAt",
        recorded_at AS "recordedAt", message_text AS "messageText", template_version AS "templateVersion",
        gateway_message_id AS "gatewayMessageId", delivery_status AS "deliveryStatus",
        delivery_reason AS "deliveryReason", refers_to AS "refersTo", reply_text AS "replyText",
        reply_reading AS "replyReading", actor, dedupe_key AS "dedupeKey", prev_hash AS "prevHash", hash
      FROM consent_entries WHERE ${Prisma.join(conditions, ' AND ')}
      ORDER BY id LIMIT ${limit}`,
    );
  }

  /** How many entries the filter selects, counted up to `limit` (an export's size: small or not). */
  async countUpTo(filter: LedgerFilter, limit: number): Promise<number> {
    const conditions = [Prisma.sql`TRUE`, ...filterConditions(filter)];
    const [row] = await this.database.run(
      (db) => db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM (
        SELECT 1 FROM consent_entries WHERE ${Prisma.join(conditions, ' AND ')} LIMIT ${limit}) s`,
    );
    return row.n;
  }

  /** Removes lines whose record is past retention (purge_consent_entries, the only way to delete). */
  async purge(cutoff: Date): Promise<number> {
    const [row] = await this.database.run(
      (db) => db.$queryRaw<{ removed: bigint }[]>`SELECT purge_consent_entries(${cutoff}) AS removed`,
    );
    return Number(row.removed);
  }
}

function filterConditions(filter: LedgerFilter): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  if (filter.lineId) conditions.push(Prisma.sql`line_id = ${filter.lineId}::uuid`);
  if (filter.userId) conditions.push(Prisma.sql`user_id = ${filter.userId}::uuid`);
  if (filter.from) conditions.push(Prisma.sql`occurred_at >= ${filter.from}`);
  if (filter.to) conditions.push(Prisma.sql`occurred_at < ${filter.to}`);
  return conditions;
}

function withNulls(facts: ConsentFacts) {
  return {
    organizationId: facts.organizationId,
    userId: facts.userId,
    lineId: facts.lineId,
    mdnHash: facts.mdnHash,
    kind: facts.kind,
    source: facts.source,
    occurredAt: facts.occurredAt,
    messageText: facts.messageText ?? null,
    templateVersion: facts.templateVersion ?? null,
    gatewayMessageId: facts.gatewayMessageId ?? null,
    deliveryStatus: facts.deliveryStatus ?? null,
    deliveryReason: facts.deliveryReason ?? null,
    refersTo: facts.refersTo ?? null,
    replyText: facts.replyText ?? null,
    replyReading: facts.replyReading ?? null,
    actor: facts.actor ?? null,
    dedupeKey: facts.dedupeKey,
  };
}

function toEntry(row: Row): ConsentEntry {
  return { ...row };
}
