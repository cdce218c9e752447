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

/** Users and their lines on each network: the rules, the admin API, the read models, the sweep. */
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
    RegisterUser,
    UpdateUser,
    DeleteUser,
    ChangeLineStatus,
    RecordSighting,
    LinesQueries,
    RegistrationHooks,
    // Legacy: used by activation/, opt-in/, carriers/usecases until the reconciler replaces them
    // (and by user-import/, which registers in bulk through UsersRepository).
    UsersRepository,
    LinesRepository,
    LineQueuesRepository,
  ],
})
export class LinesModule {}
