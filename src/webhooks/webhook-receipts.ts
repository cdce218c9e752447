import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';

/**
 * Delivery ids already taken. A delivery claims its id before it is processed and gives
 * it back if processing fails, so the sender's retry is processed and a replay of a
 * processed one changes nothing.
 */
@Injectable()
export class WebhookReceipts {
  constructor(private readonly database: DatabaseService) {}

  async claim(source: string, externalId: string): Promise<boolean> {
    const inserted = await this.database.prisma.$executeRaw`
      INSERT INTO webhook_receipts (source, external_id) VALUES (${source}, ${externalId})
      ON CONFLICT DO NOTHING`;
    return inserted === 1;
  }

  async release(source: string, externalId: string): Promise<void> {
    await this.database.prisma.webhookReceipt.deleteMany({ where: { source, externalId } });
  }

  async once<T>(source: string, externalId: string, work: () => Promise<T>): Promise<T | 'duplicate'> {
    if (!(await this.claim(source, externalId))) return 'duplicate';
    try {
      return await work();
    } catch (error) {
      await this.release(source, externalId);
      throw error;
    }
  }
}
