import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ORGANIZATION_SCHEMA, ORGANIZATIONS_PAGE_SCHEMA } from '../../http/response-schemas';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { RequiresRole } from '../../auth/roles';
import { NotFoundError } from '../../common/errors/domain-error';
import { currentOrganizationId } from '../../database/data-scope';
import { SLUG } from '../domain/slug';
import { OrganizationDirectory } from '../organization-directory';
import type { Organization } from '../persistence/organizations.repository';

class CreateOrganizationDto {
  @ApiProperty({ example: 'Acme Corporation' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  @ApiProperty({ example: 'acme', description: 'lower-case letters, digits and dashes; unique' })
  @IsString()
  @Matches(SLUG, { message: 'slug must be lower-case letters, digits and dashes (at most 63)' })
  slug!: string;
}

function present(organization: Organization) {
  return { ...organization, createdAt: organization.createdAt.toISOString() };
}

/**
 * Organisations. Operators list and create them; anyone else sees only their own
 * (`GET /v1/organization`), as does an operator acting in one.
 */
@ApiTags('organizations')
@ApiBearerAuth()
@Controller()
export class OrganizationsController {
  constructor(private readonly directory: OrganizationDirectory) {}

  @Get('v1/organizations')
  @ApiOkResponse({ schema: ORGANIZATIONS_PAGE_SCHEMA })
  @RequiresRole('operator')
  async list() {
    return { items: (await this.directory.list()).map(present) };
  }

  @Post('v1/organizations')
  @ApiCreatedResponse({ schema: ORGANIZATION_SCHEMA })
  @RequiresRole('operator')
  @HttpCode(201)
  async create(@Body() body: CreateOrganizationDto) {
    return present(await this.directory.create(body.name.trim(), body.slug));
  }

  /** The organisation the caller acts in. */
  @Get('v1/organization')
  @ApiOkResponse({ schema: ORGANIZATION_SCHEMA })
  async current() {
    const id = currentOrganizationId();
    const organization = id ? await this.directory.find({ id }) : undefined;
    if (!organization) throw new NotFoundError('No organization');
    return present(organization);
  }
}
