import { Module, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { InjectConfig } from '../config/config.module';
import type { AuthConfig } from '../config/config';
import { ApiAuthGuard } from './api-auth.guard';
import { installAuthentication } from './authenticate.hook';
import { TokenVerifier } from './token-verifier';
import { OrganizationDirectory } from '../organizations/organization-directory';

@Module({
  providers: [TokenVerifier, { provide: APP_GUARD, useClass: ApiAuthGuard }],
})
export class AuthModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly tokens: TokenVerifier,
    private readonly directory: OrganizationDirectory,
    @InjectConfig('auth') private readonly config: AuthConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    installAuthentication(fastify, this.tokens, this.directory, this.config.metricsToken);
  }
}
