import { Controller, Get, Header, Param, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ScimAuthGuard } from '../auth/scim-auth.guard';
import { ScimRoute } from '../auth/scim-route';
import { SCHEMAS, serviceProviderConfig, USER_RESOURCE_TYPE } from '../domain/scim-discovery';
import { SCIM_LIST_SCHEMA, SCIM_MEDIA_TYPE, ScimError } from '../domain/scim-schemas';
import { ScimExceptionFilter } from './scim-exception.filter';
import { MAX_PAGE } from './scim-users.controller';

const list = (resources: unknown[]) => ({
  schemas: [SCIM_LIST_SCHEMA],
  totalResults: resources.length,
  startIndex: 1,
  itemsPerPage: resources.length,
  Resources: resources,
});

/**
 * RFC 7644 4 discovery. Behind the SCIM token like the rest of /scim/v2 (the RFC allows
 * either): the directories send it anyway, and no route of the service is open by URL.
 */
@ApiExcludeController()
@ScimRoute()
@UseGuards(ScimAuthGuard)
@UseFilters(ScimExceptionFilter)
@Controller('scim/v2')
export class ScimDiscoveryController {
  @Get('ServiceProviderConfig')
  @Header('content-type', SCIM_MEDIA_TYPE)
  config() {
    return serviceProviderConfig(MAX_PAGE);
  }

  @Get('ResourceTypes')
  @Header('content-type', SCIM_MEDIA_TYPE)
  resourceTypes() {
    return list([USER_RESOURCE_TYPE]);
  }

  @Get('ResourceTypes/:id')
  @Header('content-type', SCIM_MEDIA_TYPE)
  resourceType(@Param('id') id: string) {
    if (id !== 'User') throw new ScimError(404, `No resource type ${id}`);
    return USER_RESOURCE_TYPE;
  }

  @Get('Schemas')
  @Header('content-type', SCIM_MEDIA_TYPE)
  schemas() {
    return list(SCHEMAS);
  }

  @Get('Schemas/:id')
  @Header('content-type', SCIM_MEDIA_TYPE)
  schema(@Param('id') id: string) {
    const found = SCHEMAS.find((schema) => schema.id === id);
    if (!found) throw new ScimError(404, `No schema ${id}`);
    return found;
  }
}
