import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SUMMARY_SCHEMA } from './views.dto';
import { LinesQueries } from '../queries/lines.queries';

@ApiTags('summary')
@ApiBearerAuth()
@Controller('v1/summary')
export class SummaryController {
  constructor(private readonly queries: LinesQueries) {}

  /** Users per network and indicator, for dashboards. */
  @Get()
  @ApiOkResponse({ schema: SUMMARY_SCHEMA })
  summary() {
    return this.queries.summary();
  }
}
