import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from '../auth/roles';
import { Metrics } from './metrics.service';

/**
 * Prometheus text format. Open like /health unless METRICS_TOKEN is set; either way keep
 * it off the public ingress.
 */
@ApiExcludeController()
@PublicRoute('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  render(): Promise<string> {
    return this.metrics.render();
  }
}
