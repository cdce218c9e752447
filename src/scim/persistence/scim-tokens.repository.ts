import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { acrossOrganizations, requireOrganizationId } from '../../database/data-scope';

/** Each organisation's SCIM token, as its SHA-256 digest (hex) only. */
@Injectable()
export class ScimTokensRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Stores the acting organisation's token digest, replacing the one before (rotation). */
  async replace(tokenHash: string): Promise<void> {
    const organizationId = requireOrganizationId();
    await this.database.run((db) =>
      db.scimToken.upsert({
        where: { organizationId },
        create: { organizationId, tokenHash },
        update: { tokenHash, createdAt: new Date() },
      }),
    );
  }

  /**
   * Whose token this digest is. Asked before the request knows its organisation (that is
   * what the answer tells), so across organisations; the digest is unique.
   */
  organizationOf(tokenHash: string): Promise<string | undefined> {
    return acrossOrganizations('a SCIM token names its organization', async () => {
      const row = await this.database.run((db) =>
        db.scimToken.findUnique({ where: { tokenHash }, select: { organizationId: true } }),
      );
      return row?.organizationId;
    });
  }
}
