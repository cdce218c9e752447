import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiExtraModels, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { AuthenticatedRequest } from '../../auth/authenticate.hook';
import { NewRoundDto } from '../../consent/http/consent.dto';
import { LineViewDto } from '../../lines/http/views.dto';
import { StartRoundAfterRevocation } from '../usecases/start-round-after-revocation.usecase';
import { RequiresRole } from '../../auth/roles';
import { NotFoundError } from '../../common/errors/domain-error';
import { Idempotent } from '../../idempotency/idempotent.decorator';
import type { Network } from '../../lines/domain/networks';
import { NetworkPipe, UserIdPipe } from '../../lines/http/parse-id.pipe';
import { LinesQueries } from '../../lines/queries/lines.queries';
import { RecordProvisioningIntent } from '../usecases/record-provisioning-intent.usecase';
import { StartOptInRound } from '../usecases/start-opt-in-round.usecase';

/** 202: recorded; the line as it is now (the reconciler acts next). */
const ACCEPTED = { type: 'object', properties: { line: { $ref: getSchemaPath(LineViewDto) } } };

/** Admin actions on the flow: each records what should happen and answers 202. */
@ApiExtraModels(LineViewDto)
@ApiTags('networks')
@ApiBearerAuth()
@Controller('v1/users/:id/networks/:network')
export class ProvisioningController {
  constructor(
    private readonly intents: RecordProvisioningIntent,
    private readonly optInRound: StartOptInRound,
    private readonly queries: LinesQueries,
    private readonly afterRevocation: StartRoundAfterRevocation,
  ) {}

  /** Provisions the user's MDN on this network (Verizon: the opt-in flow), in the background. */
  @Post('provision')
  @ApiAcceptedResponse({ schema: ACCEPTED })
  @HttpCode(202)
  @RequiresRole('admin')
  @Idempotent()
  async provision(@Param('id', UserIdPipe) id: string, @Param('network', NetworkPipe) network: Network) {
    await this.queries.requireLiveUser(id);
    await this.intents.execute(id, network);
    return { line: await this.lineView(id, network) };
  }

  /** Starts a new round of opt-in texts after the send cap was reached. */
  @Post('opt-in/resend')
  @ApiAcceptedResponse({ schema: ACCEPTED })
  @HttpCode(202)
  @RequiresRole('admin')
  @Idempotent()
  async resend(@Param('id', UserIdPipe) id: string, @Param('network', NetworkPipe) network: Network) {
    if (network !== 'verizon') throw new NotFoundError(`The ${network} network has no opt-in flow`);
    await this.queries.requireLiveUser(id);
    await this.optInRound.execute(id);
    return { line: await this.lineView(id, network) };
  }

  /**
   * After the subscriber revoked consent: an administrator starts a new opt-in round,
   * with a reason; recorded in the consent ledger (202: the reconciler sends the text).
   */
  @Post('consent/new-round')
  @ApiAcceptedResponse({ schema: ACCEPTED })
  @HttpCode(202)
  @RequiresRole('admin')
  @Idempotent()
  async newRound(
    @Param('id', UserIdPipe) id: string,
    @Param('network', NetworkPipe) network: Network,
    @Body() body: NewRoundDto,
    @Req() request: AuthenticatedRequest,
  ) {
    if (network !== 'verizon') throw new NotFoundError(`The ${network} network has no opt-in flow`);
    await this.queries.requireLiveUser(id);
    await this.afterRevocation.execute(id, request.principal?.subject ?? 'unknown', body.reason.trim());
    return { line: await this.lineView(id, network) };
  }

  private async lineView(id: string, network: Network) {
    return (await this.queries.lineViews(id)).find((line) => line.network === network);
  }
}
