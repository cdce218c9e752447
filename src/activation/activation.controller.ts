import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequiresRole } from '../auth/roles';
import { NotFoundError } from '../common/errors/domain-error';
import type { Network } from '../lines/domain/networks';
import { NetworkPipe, UserIdPipe } from '../lines/http/parse-id.pipe';
import { LinesQueries } from '../lines/queries/lines.queries';
import { VerizonOptInService } from '../opt-in/verizon-opt-in.service';
import { StartProvisioning } from './start-provisioning.usecase';

@ApiTags('networks')
@ApiBearerAuth()
@Controller('v1/users/:id/networks/:network')
export class ActivationController {
  constructor(
    private readonly startProvisioning: StartProvisioning,
    private readonly optIn: VerizonOptInService,
    private readonly queries: LinesQueries,
  ) {}

  /** Starts provisioning the user's MDN on this network (Verizon: the opt-in flow). */
  @Post('provision')
  @HttpCode(202)
  @RequiresRole('admin')
  async provision(@Param('id', UserIdPipe) id: string, @Param('network', NetworkPipe) network: Network) {
    const result = await this.startProvisioning.execute(id, network);
    return { ...result, line: await this.lineView(id, network) };
  }

  /** Starts a new round of opt-in texts after the send cap was reached. */
  @Post('opt-in/resend')
  @HttpCode(202)
  @RequiresRole('admin')
  async resend(@Param('id', UserIdPipe) id: string, @Param('network', NetworkPipe) network: Network) {
    if (network !== 'verizon') throw new NotFoundError(`The ${network} network has no opt-in flow`);
    const user = await this.queries.user(id);
    await this.optIn.startNewRound(id, user.mdn);
    return { line: await this.lineView(id, network) };
  }

  private async lineView(id: string, network: Network) {
    return (await this.queries.lineViews(id)).find((line) => line.network === network);
  }
}
