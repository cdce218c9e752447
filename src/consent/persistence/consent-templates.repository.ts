import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { Prisma } from '../../generated/prisma/client';
import { StaleWriteError } from '../../common/errors/domain-error';
import type { ConsentTemplate, ConsentWording } from '../domain/consent-template';

/** Organisations' wordings: each save is a new version; the newest is the one in force. */
@Injectable()
export class ConsentTemplatesRepository {
  constructor(private readonly database: DatabaseService) {}

  async current(organizationId: string): Promise<ConsentTemplate | undefined> {
    const row = await this.database.run((db) =>
      db.consentTemplate.findFirst({ where: { organizationId }, orderBy: { version: 'desc' } }),
    );
    return row ? present(row) : undefined;
  }

  async versions(organizationId: string): Promise<ConsentTemplate[]> {
    const rows = await this.database.run((db) =>
      db.consentTemplate.findMany({ where: { organizationId }, orderBy: { version: 'desc' } }),
    );
    return rows.map(present);
  }

  /** The next version; two saves at once: one wins, the other is told to try again. */
  async save(organizationId: string, wording: ConsentWording, createdBy: string): Promise<ConsentTemplate> {
    try {
      const row = await this.database.transaction(async (tx) => {
        const last = await tx.consentTemplate.findFirst({
          where: { organizationId },
          orderBy: { version: 'desc' },
          select: { version: true },
        });
        return tx.consentTemplate.create({
          data: { organizationId, version: (last?.version ?? 0) + 1, createdBy, ...wording },
        });
      });
      return present(row);
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new StaleWriteError('Another version was saved at the same time');
      }
      throw error;
    }
  }
}

function present(row: { id: string; version: number } & ConsentWording): ConsentTemplate {
  return {
    versionId: row.id,
    version: row.version,
    optInText: row.optInText,
    helpText: row.helpText,
    optInConfirmation: row.optInConfirmation,
    optOutConfirmation: row.optOutConfirmation,
    reminderText: row.reminderText,
  };
}
