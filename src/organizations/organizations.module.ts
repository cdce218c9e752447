import { Global, Module } from '@nestjs/common';
import { OrganizationsController } from './http/organizations.controller';
import { OrganizationDirectory } from './organization-directory';
import { OrganizationsRepository } from './persistence/organizations.repository';

/** Organisations, and finding the one a token or an operator names (authentication asks). */
@Global()
@Module({
  controllers: [OrganizationsController],
  providers: [OrganizationsRepository, OrganizationDirectory],
  exports: [OrganizationDirectory],
})
export class OrganizationsModule {}
