import { Module } from '@nestjs/common';
import { NetworksController } from './http/networks.controller';
import { SummaryController } from './http/summary.controller';
import { UsersController } from './http/users.controller';
import { LineQueuesRepository } from './persistence/line-queues.repository';
import { LinesRepository } from './persistence/lines.repository';
import { StaleLinesRepository } from './persistence/stale-lines.repository';
import { UsersRepository } from './persistence/users.repository';
import { LinesQueries } from './queries/lines.queries';
import { RegistrationHooks } from './registration-hooks';
import { SweepStaleLinesJob } from './sweep/sweep-stale-lines.job';
import { SweepStaleLines } from './sweep/sweep-stale-lines.usecase';
import { ChangeLineStatus } from './usecases/change-line-status.usecase';
import { DeleteUser } from './usecases/delete-user.usecase';
import { RecordSighting } from './usecases/record-sighting.usecase';
import { RegisterUser } from './usecases/register-user.usecase';
import { UpdateUser } from './usecases/update-user.usecase';

@Module({
  controllers: [UsersController, NetworksController, SummaryController],
  providers: [
    UsersRepository,
    LinesRepository,
    LineQueuesRepository,
    StaleLinesRepository,
    LinesQueries,
    RegisterUser,
    UpdateUser,
    DeleteUser,
    ChangeLineStatus,
    RecordSighting,
    RegistrationHooks,
    SweepStaleLines,
    SweepStaleLinesJob,
  ],
  exports: [
    UsersRepository,
    LinesRepository,
    LineQueuesRepository,
    ChangeLineStatus,
    RecordSighting,
    LinesQueries,
    RegistrationHooks,
  ],
})
export class LinesModule {}
