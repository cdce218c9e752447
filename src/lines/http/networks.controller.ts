import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequiresRole } from '../../auth/roles';
import { Idempotent } from '../../idempotency/idempotent.decorator';
import { Clock } from '../../common/clock';
import { InjectConfig } from '../../config/config.module';
import type { HttpConfig } from '../../config/config';
import { refuseFutureTime } from '../../http/time-sanity';
import type { Network } from '../domain/networks';
import { LinesQueries } from '../queries/lines.queries';
import { ChangeLineStatus } from '../usecases/change-line-status.usecase';
import { RecordSighting } from '../usecases/record-sighting.usecase';
import { ChangeLineStatusDto, RecordSightingDto } from './line-change.dto';
import { NetworkPipe, UserIdPipe } from './parse-id.pipe';
import { HistoryEntryDto, LineViewDto } from './views.dto';

/** Nothing in flight: the line's columns for an outstanding call, cleared. */
const CLEARED_CALL = { inflightKind: null, inflightPhase: null, inflightKey: null, inflightSince: null };

@ApiTags('networks')
@ApiBearerAuth()
@Controller('v1/users/:id/networks')
export class NetworksController {
  constructor(
    private readonly queries: LinesQueries,
    private readonly changeLineStatus: ChangeLineStatus,
    private readonly recordSighting: RecordSighting,
    private readonly clock: Clock,
    // The edge's rule for times from outside, which every controller applies.
    @InjectConfig('http') private readonly http: HttpConfig,
  ) {}

  @Get()
  @ApiOkResponse({ type: [LineViewDto] })
  list(@Param('id', UserIdPipe) id: string) {
    return this.queries.lineViews(id);
  }

  @Get(':network/history')
  @ApiOkResponse({ type: [HistoryEntryDto] })
  history(@Param('id', UserIdPipe) id: string, @Param('network', NetworkPipe) network: Network) {
    return this.queries.history(id, network);
  }

  /** An administrator sets a line's status by hand, through the same state machine. */
  @Post(':network/status')
  @ApiOkResponse({ type: LineViewDto })
  @HttpCode(200)
  @RequiresRole('admin')
  @Idempotent()
  async changeStatus(
    @Param('id', UserIdPipe) id: string,
    @Param('network', NetworkPipe) network: Network,
    @Body() body: ChangeLineStatusDto,
  ) {
    await this.queries.user(id);
    const line = await this.changeLineStatus.execute({
      userId: id,
      network,
      to: body.status,
      reason: body.reason,
      source: 'API',
      // The administrator's word is the newest: a call still out for the line is moot (its
      // answer, older, will not apply), so it no longer waits for that answer, and the
      // reconciler looks at the line at once.
      flow: () => ({ ...CLEARED_CALL, reconcileAt: this.clock.now() }),
    });
    // Without a guard the move is always made (or refused with an error).
    return this.queries.presentLine(line!);
  }

  /** Records that the line was seen (for carriers and archivers without webhooks). */
  @Post(':network/sightings')
  @ApiOkResponse({ type: LineViewDto })
  @HttpCode(200)
  @RequiresRole('admin')
  @Idempotent()
  async sighting(
    @Param('id', UserIdPipe) id: string,
    @Param('network', NetworkPipe) network: Network,
    @Body() body: RecordSightingDto,
  ) {
    await this.queries.user(id);
    const now = this.clock.now();
    const seenAt = body.seenAt ? new Date(body.seenAt) : now;
    refuseFutureTime('seenAt', seenAt, now, this.http.maxFutureSkewMs);
    const line = await this.recordSighting.execute({ userId: id, network, seenAt });
    return this.queries.presentLine(line);
  }
}
