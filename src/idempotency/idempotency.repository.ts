import { Injectable } from '@nestjs/common';
import { requireOrganizationId as organizationOf } from '../database/data-scope';
import { DatabaseService } from '../database/database.service';

export interface StoredAnswer {
  fingerprint: string;
  statusCode: number | null;
  contentType: string | null;
  body: Uint8Array | null;
  createdAt: Date;
}

/**
 * Keys and the first answer given to each, per organisation: an insert takes the
 * transaction's organisation by default, and row-level security filters the rest.
 */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Takes the key for a first request; false when it is already taken. */
  async claim(principal: string, key: string, fingerprint: string, now: Date): Promise<boolean> {
    const taken = await this.database.run(
      (db) => db.$executeRaw`
      INSERT INTO idempotency_keys (principal, key, fingerprint, created_at)
      VALUES (${principal}, ${key}, ${fingerprint}, ${now})
      ON CONFLICT (organization_id, principal, key) DO NOTHING`,
    );
    return taken === 1;
  }

  find(principal: string, key: string): Promise<StoredAnswer | null> {
    return this.database.run((db) =>
      db.idempotencyKey.findUnique({
        where: { organizationId_principal_key: { organizationId: organizationOf(), principal, key } },
        select: { fingerprint: true, statusCode: true, contentType: true, body: true, createdAt: true },
      }),
    );
  }

  /** Takes over a key whose first request died unanswered (claimed before `staleBefore`). */
  async takeOver(principal: string, key: string, staleBefore: Date, now: Date): Promise<boolean> {
    const taken = await this.database.run((db) =>
      db.idempotencyKey.updateMany({
        where: { principal, key, statusCode: null, createdAt: { lt: staleBefore } },
        data: { createdAt: now },
      }),
    );
    return taken.count === 1;
  }

  async answer(
    principal: string,
    key: string,
    answer: { statusCode: number; contentType: string; body: Buffer },
  ) {
    await this.database.run((db) =>
      db.idempotencyKey.update({
        where: { organizationId_principal_key: { organizationId: organizationOf(), principal, key } },
        data: {
          statusCode: answer.statusCode,
          contentType: answer.contentType,
          body: new Uint8Array(answer.body),
        },
      }),
    );
  }

  /** Gives the key back: the request failed in a way a retry should run again. */
  async release(principal: string, key: string): Promise<void> {
    await this.database.run((db) =>
      db.idempotencyKey.deleteMany({ where: { principal, key, statusCode: null } }),
    );
  }

  deleteBefore(before: Date): Promise<number> {
    return this.database
      .run((db) => db.idempotencyKey.deleteMany({ where: { createdAt: { lt: before } } }))
      .then((deleted) => deleted.count);
  }
}
