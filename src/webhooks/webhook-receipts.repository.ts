import { Injectable, Logger } from '@nestjs/common';
import { ConflictError } from '../common/errors/domain-error';
import { DatabaseService } from '../database/database.service';
import { isUniqueViolation } from '../database/errors';

/**
 * How long a claimed delivery may stay unfinished before a retry may take it over: longer
 * than any one delivery's work (a few database statements, no outbound call), short
 * beside a sender's retry schedule: a delivery whose process was killed is retried by its
 * sender within seconds, and must not be put off for minutes (senders give up).
 */
export const CLAIM_EXPIRES_AFTER_SECONDS = 15;

/**
 * Delivery ids already taken. A delivery claims its id, does its work, then marks the id
 * completed; a failure gives the id back. So a replay of a completed delivery changes
 * nothing, the sender's retry of a failed one is processed, and a copy arriving while the
 * first is still at work is asked to retry (409) rather than told it is done. If the
 * process dies mid-way the claim expires and a retry takes it over: no callback is lost.
 */
/** A delivery is known by its payload's own id and by the sender's `webhook-id`. */
export interface DeliveryIds {
  payloadId: string;
  webhookId: string;
}

@Injectable()
export class WebhookReceiptsRepository {
  private readonly logger = new Logger(WebhookReceiptsRepository.name);

  constructor(private readonly database: DatabaseService) {}

  async once<T>(source: string, ids: DeliveryIds, work: () => Promise<T>): Promise<T | 'duplicate'> {
    const externalId = ids.payloadId;
    const claim = await this.claim(source, ids);
    if (claim !== 'claimed') {
      if (await this.completed(source, claim === 'taken' ? { externalId } : { webhookId: ids.webhookId })) {
        return 'duplicate';
      }
      throw new ConflictError(`Delivery ${externalId} is still being processed; retry later`, {
        source,
        id: externalId,
      });
    }
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await this.release(source, externalId).catch(() => undefined);
      throw error;
    }
    // The work is done and durable: answer 200 even if the mark fails. A replay then waits
    // out the claim and is applied again, which the line's ordering checks make harmless.
    await this.complete(source, externalId).catch((error: unknown) =>
      this.logger.warn({ err: error, source }, 'Could not mark a processed delivery completed'),
    );
    return result;
  }

  /**
   * Takes the payload id unless it is completed or another attempt holds a fresh claim on
   * it; `webhook-id` taken by another payload's receipt is a duplicate of that one.
   */
  private async claim(source: string, ids: DeliveryIds): Promise<'claimed' | 'taken' | 'webhook-id-taken'> {
    try {
      const claimed = await this.database.run(
        (db) => db.$executeRaw`
        INSERT INTO webhook_receipts AS r (source, external_id, webhook_id)
        VALUES (${source}, ${ids.payloadId}, ${ids.webhookId})
        ON CONFLICT (source, external_id) DO UPDATE SET received_at = now(), webhook_id = excluded.webhook_id
          WHERE r.completed_at IS NULL
            AND r.received_at < now() - make_interval(secs => ${CLAIM_EXPIRES_AFTER_SECONDS})`,
      );
      return claimed === 1 ? 'claimed' : 'taken';
    } catch (error) {
      if (isUniqueViolation(error)) return 'webhook-id-taken';
      throw error;
    }
  }

  private async completed(
    source: string,
    key: { externalId: string } | { webhookId: string },
  ): Promise<boolean> {
    const receipt = await this.database.run((db) =>
      db.webhookReceipt.findFirst({
        where: { source, ...key },
        select: { completedAt: true },
      }),
    );
    // Gone meanwhile: the other attempt failed and gave it back; the sender should retry.
    return receipt?.completedAt != null;
  }

  private async complete(source: string, externalId: string): Promise<void> {
    await this.database.run(
      (db) => db.$executeRaw`
      UPDATE webhook_receipts SET completed_at = now() WHERE source = ${source} AND external_id = ${externalId}`,
    );
  }

  /** Deletes up to `limit` receipts claimed before `before`; returns how many. */
  deleteClaimedBefore(before: Date, limit: number): Promise<number> {
    return this.database.run(
      (db) => db.$executeRaw`
      DELETE FROM webhook_receipts WHERE (source, external_id) IN (
        SELECT source, external_id FROM webhook_receipts WHERE received_at < ${before} LIMIT ${limit})`,
    );
  }

  private async release(source: string, externalId: string): Promise<void> {
    await this.database.run((db) => db.webhookReceipt.deleteMany({ where: { source, externalId } }));
  }
}
