import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AuthModule } from '../auth/auth.module';
import { DomainExceptionFilter } from '../common/errors/domain-exception.filter';
import { LinesModule } from '../lines/lines.module';
import { OrganizationDirectory } from '../organizations/organization-directory';
import { ProvisioningFlowModule } from '../provisioning-flow/provisioning-flow.module';
import { installScimAuthentication } from './auth/scim-authenticate.hook';
import { SCIM_MEDIA_TYPE } from './domain/scim-schemas';
import { ScimDiscoveryController } from './http/scim-discovery.controller';
import { ScimExceptionFilter } from './http/scim-exception.filter';
import { ScimTokenController } from './http/scim-token.controller';
import { ScimUsersController } from './http/scim-users.controller';
import { ScimTokensRepository } from './persistence/scim-tokens.repository';
import { IssueScimToken } from './usecases/issue-scim-token.usecase';
import { ScimUsers } from './usecases/scim-users';

/**
 * Directory sync: SCIM 2.0 for Entra ID and Okta, with a token per organisation.
 * AuthModule is imported so its hooks (which open the request's scope) are installed
 * before this module's.
 */
@Module({
  imports: [AuthModule, LinesModule, ProvisioningFlowModule],
  controllers: [ScimUsersController, ScimDiscoveryController, ScimTokenController],
  providers: [ScimTokensRepository, IssueScimToken, ScimUsers, ScimExceptionFilter, DomainExceptionFilter],
})
export class ScimModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly tokens: ScimTokensRepository,
    private readonly directory: OrganizationDirectory,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    installScimAuthentication(fastify, async (digest) => {
      const id = await this.tokens.organizationOf(digest);
      return id ? this.directory.find({ id }) : undefined;
    });
    // SCIM's media type is JSON; Fastify parses only application/json unless told.
    fastify.addContentTypeParser(
      SCIM_MEDIA_TYPE,
      { parseAs: 'string' },
      fastify.getDefaultJsonParser('error', 'error'),
    );
  }
}
