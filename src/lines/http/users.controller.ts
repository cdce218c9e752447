import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthenticatedRequest } from '../../auth/authenticate.hook';
import { RequiresRole } from '../../auth/roles';
import { Idempotent } from '../../idempotency/idempotent.decorator';
import { idempotencyOf } from '../../idempotency/request-idempotency';
import { LinesQueries } from '../queries/lines.queries';
import { DeleteUser } from '../usecases/delete-user.usecase';
import { RegisterUser } from '../usecases/register-user.usecase';
import { UpdateUser } from '../usecases/update-user.usecase';
import { ListUsersQuery } from './list-users.query';
import { UserIdPipe } from './parse-id.pipe';
import { RegisterUserDto, UpdateUserDto } from './user.dto';
import { InviteUser } from '../invites/invite-user.usecase';
import { InviteViewDto, UserHistoryDto, UsersPageDto, UserViewDto } from './views.dto';

@ApiTags('users')
@ApiBearerAuth()
@Controller('v1/users')
export class UsersController {
  constructor(
    private readonly registerUser: RegisterUser,
    private readonly updateUser: UpdateUser,
    private readonly deleteUser: DeleteUser,
    private readonly queries: LinesQueries,
    private readonly inviteUser: InviteUser,
  ) {}

  /**
   * Registers a user and records the intent to provision it; the reconciler does the rest.
   * With an Idempotency-Key, a retry gets the first answer, even one whose response was
   * lost after the registration committed.
   */
  @Post()
  @ApiCreatedResponse({ type: UserViewDto })
  @RequiresRole('admin')
  @Idempotent()
  async register(@Body() body: RegisterUserDto, @Req() request: AuthenticatedRequest) {
    return this.queries.present(
      await this.registerUser.execute({ ...body, idempotency: idempotencyOf(request) }),
    );
  }

  @Get()
  @ApiOkResponse({ type: UsersPageDto })
  list(@Query() query: ListUsersQuery) {
    return this.queries.list({ ...query, limit: query.limit ?? 50 });
  }

  @Get(':id')
  @ApiOkResponse({ type: UserViewDto })
  get(@Param('id', UserIdPipe) id: string) {
    return this.queries.user(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: UserViewDto })
  @RequiresRole('admin')
  @Idempotent()
  async update(@Param('id', UserIdPipe) id: string, @Body() body: UpdateUserDto) {
    return this.queries.present(await this.updateUser.execute(id, body));
  }

  @Delete(':id')
  @ApiOkResponse({ type: UserViewDto })
  @HttpCode(200)
  @RequiresRole('admin')
  @Idempotent()
  async remove(@Param('id', UserIdPipe) id: string) {
    return this.queries.present(await this.deleteUser.execute(id));
  }

  /** The user's history: line status moves and invites, newest first. */
  @Get(':id/history')
  @ApiOkResponse({ type: UserHistoryDto })
  async history(@Param('id', UserIdPipe) id: string) {
    return { items: await this.queries.userHistory(id) };
  }

  /**
   * Texts the user the link to download the app (seed 004). 202: the invite is recorded
   * and appears in the history; the invite sender sends it once.
   */
  @Post(':id/invite')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: InviteViewDto })
  @ApiConflictResponse({
    description: 'Invited within INVITE_COOLDOWN_MINUTES (invite_cooldown), or deleted',
  })
  @RequiresRole('admin')
  @Idempotent()
  invite(@Param('id', UserIdPipe) id: string) {
    return this.inviteUser.execute(id);
  }
}
