import { Injectable } from '@nestjs/common';
import { newScimToken, scimTokenDigest } from '../auth/scim-token';
import { ScimTokensRepository } from '../persistence/scim-tokens.repository';

/**
 * Creates the acting organisation's SCIM token, or rotates it: the new one replaces the
 * old at once (a directory holding the old one gets 401 from then on). The token is
 * returned here once and never stored.
 */
@Injectable()
export class IssueScimToken {
  constructor(private readonly tokens: ScimTokensRepository) {}

  async execute(): Promise<string> {
    const token = newScimToken();
    await this.tokens.replace(scimTokenDigest(token));
    return token;
  }
}
