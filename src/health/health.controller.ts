import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HEALTH_SCHEMA } from '../http/response-schemas';
import { PublicRoute } from '../auth/roles';
import { HealthCheck, HealthCheckService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
import { ReadinessChecks } from './readiness-checks';

/** Probes: answered without a token, and with nothing a stranger could use. */
@ApiTags('health')
@PublicRoute()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly readiness: ReadinessChecks,
  ) {}

  /** The process is up and its event loop turns; nothing else. */
  @Get('live')
  @ApiOkResponse({ schema: HEALTH_SCHEMA })
  live() {
    return { status: 'ok' };
  }

  /** Whether the service can do its job: 503 naming the failing part when it cannot. */
  @Get('ready')
  @HealthCheck()
  ready() {
    const checks: HealthIndicatorFunction[] = [() => this.database.check(), ...this.readiness.all()];
    return this.health.check(checks);
  }
}
