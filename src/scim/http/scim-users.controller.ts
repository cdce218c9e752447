import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { UserWithLines } from '../../lines/queries/lines.queries';
import { ScimAuthGuard } from '../auth/scim-auth.guard';
import { ScimRoute } from '../auth/scim-route';
import { parseUserFilter } from '../domain/scim-filter';
import { SCIM_LIST_SCHEMA, SCIM_MEDIA_TYPE, ScimError } from '../domain/scim-schemas';
import { toScimUser } from '../domain/scim-user';
import { ScimUsers } from '../usecases/scim-users';
import { ScimExceptionFilter } from './scim-exception.filter';

/** The most users one list page holds (advertised in ServiceProviderConfig). */
export const MAX_PAGE = 200;

/**
 * RFC 7644 Users for a directory (Entra ID, Okta). Bodies are read as plain objects: SCIM
 * attribute names are case-insensitive and unknown ones are ignored, which the mapping in
 * src/scim/domain does, not class-validator.
 */
@ApiExcludeController()
@ScimRoute()
@UseGuards(ScimAuthGuard)
@UseFilters(ScimExceptionFilter)
@Controller('scim/v2/Users')
export class ScimUsersController {
  constructor(private readonly users: ScimUsers) {}

  @Get()
  @Header('content-type', SCIM_MEDIA_TYPE)
  async list(
    @Req() request: FastifyRequest,
    @Query('filter') filter?: string,
    @Query('startIndex') startIndex?: string,
    @Query('count') count?: string,
  ) {
    const match = filter ? parseUserFilter(filter) : undefined;
    // RFC 7644 3.4.2.4: an index below 1 is 1, a negative count is 0.
    const start = Math.max(1, integer(startIndex, 'startIndex') ?? 1);
    const limit = Math.min(MAX_PAGE, Math.max(0, integer(count, 'count') ?? 100));
    const page = await this.users.list(match, start - 1, limit);
    return {
      schemas: [SCIM_LIST_SCHEMA],
      totalResults: page.total,
      startIndex: start,
      itemsPerPage: page.users.length,
      Resources: page.users.map((user) => present(request, user)),
    };
  }

  @Get(':id')
  @Header('content-type', SCIM_MEDIA_TYPE)
  async get(@Req() request: FastifyRequest, @Param('id') id: string) {
    return present(request, await this.users.get(id));
  }

  @Post()
  @HttpCode(201)
  @Header('content-type', SCIM_MEDIA_TYPE)
  async create(@Req() request: FastifyRequest, @Body() body: unknown) {
    return present(request, await this.users.create(body));
  }

  @Put(':id')
  @Header('content-type', SCIM_MEDIA_TYPE)
  async replace(@Req() request: FastifyRequest, @Param('id') id: string, @Body() body: unknown) {
    return present(request, await this.users.replace(id, body));
  }

  @Patch(':id')
  @Header('content-type', SCIM_MEDIA_TYPE)
  async patch(@Req() request: FastifyRequest, @Param('id') id: string, @Body() body: unknown) {
    return present(request, await this.users.patch(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string) {
    await this.users.delete(id);
  }
}

function present(request: FastifyRequest, user: UserWithLines) {
  return toScimUser(user, `${request.protocol}://${request.host}/scim/v2/Users/${user.id}`);
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d{1,9}$/.test(value)) throw new ScimError(400, `${name} must be an integer`, 'invalidValue');
  return Number(value);
}
