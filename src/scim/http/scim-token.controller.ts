import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { SCIM_TOKEN_SCHEMA } from '../../http/response-schemas';
import { RequiresRole } from '../../auth/roles';
import { IssueScimToken } from '../usecases/issue-scim-token.usecase';

/** An owner creates (or rotates) the organisation's SCIM token for its directory. */
@ApiTags('scim')
@ApiBearerAuth()
@Controller('v1/organization/scim-token')
export class ScimTokenController {
  constructor(private readonly issue: IssueScimToken) {}

  /** The token is in this answer only: it is stored as a digest. A new one replaces the old. */
  @Post()
  @ApiCreatedResponse({ schema: SCIM_TOKEN_SCHEMA })
  @HttpCode(201)
  @RequiresRole('owner')
  async create() {
    return { token: await this.issue.execute(), tokenType: 'Bearer', baseUrl: '/scim/v2' };
  }
}
