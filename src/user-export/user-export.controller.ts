import { Readable } from 'node:stream';
import { Controller, Get, Query, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiProduces,
  ApiProperty,
  ApiTags,
  OmitType,
} from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticatedRequest } from '../auth/authenticate.hook';
import { InjectConfig } from '../config/config.module';
import type { TasksConfig } from '../config/config';
import { ListUsersQuery } from '../lines/http/list-users.query';
import { presentTask, TaskDto } from '../tasks/task.dto';
import { Tasks } from '../tasks/tasks.service';
import type { ExportParams } from './export-task.handler';
import { ExportUsers } from './export-users.usecase';
import { EXPORT_TYPES, type ExportFormat } from './export-writers';

export class ExportUsersQuery extends OmitType(ListUsersQuery, ['cursor', 'limit'] as const) {
  @ApiProperty({ enum: ['xlsx', 'csv'] })
  @IsIn(['xlsx', 'csv'])
  format!: ExportFormat;
}

@ApiTags('users')
@ApiBearerAuth()
@Controller('v1/users/export')
export class UserExportController {
  constructor(
    private readonly exportUsers: ExportUsers,
    private readonly tasks: Tasks,
    @InjectConfig('tasks') private readonly config: TasksConfig,
  ) {}

  /**
   * The users GET /v1/users lists with the same filters, as a spreadsheet with the
   * console's columns. Up to EXPORT_SYNC_MAX_ROWS users the file is the answer (200,
   * streamed); more, and the answer is a task (202, Location) whose result is the file.
   */
  @Get()
  @ApiProduces(EXPORT_TYPES.xlsx, EXPORT_TYPES.csv, 'application/json')
  @ApiOkResponse({ description: 'The file (.xlsx or .csv)', schema: { type: 'string', format: 'binary' } })
  @ApiAcceptedResponse({ type: TaskDto, description: 'Too many users for one answer: the export task' })
  async export(
    @Query() query: ExportUsersQuery,
    @Req() request: FastifyRequest & AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile | TaskDto> {
    const { format, ...filter } = query;
    const plan = await this.exportUsers.plan(filter, this.config.exportSyncMaxRows);
    if (plan.kind === 'now') {
      void reply
        .header('content-type', EXPORT_TYPES[format])
        .header('content-disposition', `attachment; filename="users-export.${format}"`);
      return new StreamableFile(Readable.from(this.exportUsers.fileOf(format, plan.users)));
    }
    const params: ExportParams = { format, filter: filter };
    const task = await this.tasks.enqueue(
      'export_users',
      { ...params },
      request.principal?.subject ?? 'unknown',
    );
    void reply.status(202).header('location', `/v1/tasks/${task.id}`);
    return presentTask(task);
  }
}
