import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { LinesQueries } from '../queries/lines.queries';

@ApiTags('summary')
@ApiBearerAuth()
@Controller('v1/summary')
export class SummaryController {
  constructor(private readonly queries: LinesQueries) {}

  /** Users per network and indicator, for dashboards. */
  @Get()
  summary() {
    return this.queries.summary();
  }
}
