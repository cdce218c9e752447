import { Module } from '@nestjs/common';
import { CarriersModule } from '../carriers/carriers.module';
import { InvitesRepository } from './persistence/invites.repository';
import { InviteSender } from './invites/invite-sender.job';
import { InviteSignal } from './invites/invite-signal';
import { InviteUser } from './invites/invite-user.usecase';
import { NetworksController } from './http/networks.controller';
import { LineGaugesJob } from './metrics/line-gauges.job';
import { LineCountsRepository } from './persistence/line-counts.repository';
import { SummaryController } from './http/summary.controller';
import { UsersController } from './http/users.controller';
import { LinesRepository } from './persistence/lines.repository';
import { StaleLinesRepository } from './persistence/stale-lines.repository';
import { UsersRepository } from './persistence/users.repository';
import { UserListRepository } from './persistence/user-list.repository';
import { LinesQueries } from './queries/lines.queries';
import { SweepStaleLinesJob } from './sweep/sweep-stale-lines.job';
import { SweepStaleLines } from './sweep/sweep-stale-lines.usecase';
import { ChangeLineStatus } from './usecases/change-line-status.usecase';
import { ChangeLinesInBatch } from './usecases/change-lines-in-batch.usecase';
import { LineBatchesRepository } from './persistence/line-batches.repository';
import { DeleteUser } from './usecases/delete-user.usecase';
import { RecordSighting } from './usecases/record-sighting.usecase';
import { RegisterUser } from './usecases/register-user.usecase';
import { UpdateUser } from './usecases/update-user.usecase';
import { LineLookup } from './usecases/line-lookup.usecase';
import { RegisterUsers } from './usecases/register-users.usecase';
import { StopUserLines } from './usecases/stop-user-lines.usecase';

/** Users and their lines on each network: the rules, the admin API, the read models, the sweep. */
@Module({
  imports: [CarriersModule],
  controllers: [UsersController, NetworksController, SummaryController],
  providers: [
    UsersRepository,
    UserListRepository,
    InvitesRepository,
    InviteSignal,
    InviteUser,
    InviteSender,
    LinesRepository,
    StaleLinesRepository,
    LineBatchesRepository,
    LinesQueries,
    RegisterUser,
    UpdateUser,
    DeleteUser,
    ChangeLineStatus,
    ChangeLinesInBatch,
    RecordSighting,
    LineLookup,
    RegisterUsers,
    StopUserLines,
    SweepStaleLines,
    SweepStaleLinesJob,
    LineCountsRepository,
    LineGaugesJob,
  ],
  exports: [
    RegisterUser,
    RegisterUsers,
    StopUserLines,
    UpdateUser,
    DeleteUser,
    ChangeLineStatus,
    ChangeLinesInBatch,
    RecordSighting,
    LineLookup,
    LinesQueries,
    InviteSender,
  ],
})
export class LinesModule {}
