import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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
import { UsersPageDto, UserViewDto } from './views.dto';

@ApiTags('users')
@ApiBearerAuth()
@Controller('v1/users')
export class UsersController {
  constructor(
    private readonly registerUser: RegisterUser,
    private readonly updateUser: UpdateUser,
    private readonly deleteUser: DeleteUser,
    private readonly queries: LinesQueries,
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
    const { q, limit, ...filters } = query;
    return this.queries.list({ ...filters, search: q, limit: limit ?? 50 });
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
}
