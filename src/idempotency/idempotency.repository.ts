import { randomUUID } from 'node:crypto';
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
 * How long a key at work stays its request's without being renewed. The request renews it
 * every third of that, so only a dead process (or one stalled that long) loses its key.
 */
export const KEY_LEASE_SECONDS = 10;

/**
 * Keys and the first answer given to each, per organisation: an insert takes the
 * transaction's organisation by default, and row-level security filters the rest.
 */
@Injectable()
export class IdempotencyRepository {
  /**
   * This process's id as the owner of the keys it works on: a new one at every start, so
   * a restarted process does not take its dead predecessor's keys for its own.
   */
  readonly owner = randomUUID();

  constructor(private readonly database: DatabaseService) {}

  /** Takes the key for a first request; false when it is already taken. */
  async claim(principal: string, key: string, fingerprint: string, now: Date): Promise<boolean> {
    const taken = await this.database.run(
      (db) => db.$executeRaw`
        INSERT INTO idempotency_keys (organization_id, principal, key, fingerprint, created_at, owner, lease_until)
        VALUES (${organizationOf()}::uuid, ${principal}, ${key}, ${fingerprint}, ${now}, ${this.owner},
                now() + make_interval(secs => ${KEY_LEASE_SECONDS}))
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

  /**
   * Takes over a key whose request died unanswered: its lease lapsed (leases run on the
   * database's clock, one for every replica), or, on the embedded database, which one
   * process owns at a time, any other process had it. A key claimed before leases existed
   * counts as dead once claimed before `staleBefore`.
   */
  async takeOver(principal: string, key: string, staleBefore: Date, now: Date): Promise<boolean> {
    const soleProcess = this.database.kind === 'embedded';
    const taken = await this.database.run(
      (db) => db.$executeRaw`
      UPDATE idempotency_keys
      SET created_at = ${now}, owner = ${this.owner}, lease_until = now() + make_interval(secs => ${KEY_LEASE_SECONDS})
      WHERE organization_id = ${organizationOf()}::uuid AND principal = ${principal} AND key = ${key}
        AND status_code IS NULL
        AND (lease_until < now()
             OR (lease_until IS NULL AND created_at < ${staleBefore})
             OR (${soleProcess} AND owner IS DISTINCT FROM ${this.owner}))`,
    );
    return taken === 1;
  }

  /** Keeps the key this process works on; false once it is no longer this process's. */
  async renew(principal: string, key: string): Promise<boolean> {
    const renewed = await this.database.run(
      (db) => db.$executeRaw`
      UPDATE idempotency_keys SET lease_until = now() + make_interval(secs => ${KEY_LEASE_SECONDS})
      WHERE organization_id = ${organizationOf()}::uuid AND principal = ${principal} AND key = ${key}
        AND status_code IS NULL AND owner = ${this.owner}`,
    );
    return renewed === 1;
  }

  /** Stores the answer, unless another process took the key over meanwhile (its answer counts). */
  async answer(
    principal: string,
    key: string,
    answer: { statusCode: number; contentType: string; body: Buffer },
  ) {
    await this.database.run((db) =>
      db.idempotencyKey.updateMany({
        where: { organizationId: organizationOf(), principal, key, owner: this.owner },
        data: {
          statusCode: answer.statusCode,
          contentType: answer.contentType,
          body: new Uint8Array(answer.body),
          leaseUntil: null,
        },
      }),
    );
  }

  /** Gives the key back: the request failed in a way a retry should run again. */
  async release(principal: string, key: string): Promise<void> {
    await this.database.run((db) =>
      db.idempotencyKey.deleteMany({
        where: { organizationId: organizationOf(), principal, key, statusCode: null, owner: this.owner },
      }),
    );
  }

  deleteBefore(before: Date): Promise<number> {
    return this.database
      .run((db) => db.idempotencyKey.deleteMany({ where: { createdAt: { lt: before } } }))
      .then((deleted) => deleted.count);
  }
}
