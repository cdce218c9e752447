import { Readable } from 'node:stream';
import { Controller, Get, Param, ParseUUIDPipe, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticatedRequest } from '../auth/authenticate.hook';
import { hasRole } from '../auth/roles';
import type { Role } from '../config/admin-tokens';
import { ForbiddenError, ValidationFailedError } from '../common/errors/domain-error';
import type { TaskKind } from './domain/task';
import { ListTasksQuery, presentTask, TaskDto, TaskPageDto } from './task.dto';
import { Tasks } from './tasks.service';

const TaskIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new ValidationFailedError([{ field: 'id', reason: 'must be a task id (UUID)' }]),
});

/**
 * The role a task's result file needs, where it is more than a member's: the consent
 * ledger is exported by admins only, and so is its file read back.
 */
const RESULT_ROLE: Partial<Record<TaskKind, Role>> = { export_consent: 'admin' };

const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * A stored file is read at most one piece ahead of the client (the chunk being read is in
 * memory, about 1 MB). Readable.from's default of 16 pieces read up to 16 MB ahead of a
 * slow client, per download, when the pieces were whole chunks.
 */
const ONE_PIECE_AHEAD = { highWaterMark: 1 };

/** The Task Center: the organisation's imports and exports, their progress and files. */
@ApiTags('tasks')
@ApiBearerAuth()
@Controller('v1/tasks')
export class TasksController {
  constructor(private readonly tasks: Tasks) {}

  @Get()
  @ApiOkResponse({ type: TaskPageDto, description: "The organisation's tasks, newest first" })
  async list(@Query() query: ListTasksQuery): Promise<TaskPageDto> {
    const limit = query.limit ?? 50;
    const tasks = await this.tasks.list(limit + 1, query.cursor);
    const page = tasks.slice(0, limit);
    return {
      items: page.map(presentTask),
      nextCursor: tasks.length > limit ? page[page.length - 1].id : null,
    };
  }

  @Get(':id')
  @ApiOkResponse({ type: TaskDto })
  async get(@Param('id', TaskIdPipe) id: string): Promise<TaskDto> {
    return presentTask(await this.tasks.findOrFail(id));
  }

  /** A rejected import's file: the rows as uploaded, with an Errors column. */
  @Get(':id/errors')
  @ApiProduces(XLSX_MIME)
  @ApiOkResponse({ description: 'The errors file (.xlsx)', schema: { type: 'string', format: 'binary' } })
  async errors(
    @Param('id', TaskIdPipe) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const file = await this.tasks.fileOrFail(id, 'errors');
    void reply
      .header('content-type', XLSX_MIME)
      .header('content-disposition', `attachment; filename="users-import-errors-${id}.xlsx"`);
    return new StreamableFile(Readable.from(file, ONE_PIECE_AHEAD));
  }

  /** A finished export's file. */
  @Get(':id/result')
  @ApiProduces(XLSX_MIME, 'text/csv')
  @ApiOkResponse({
    description: "The export's file (.xlsx or .csv; a consent ledger export's .csv or .json, admins only)",
    schema: { type: 'string', format: 'binary' },
  })
  async result(
    @Param('id', TaskIdPipe) id: string,
    @Req() request: FastifyRequest & AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const task = await this.tasks.findOrFail(id);
    const needed = RESULT_ROLE[task.kind as TaskKind];
    if (needed && !(request.principal && hasRole(request.principal.role, needed))) {
      throw new ForbiddenError(`This task's file needs the ${needed} role`);
    }
    const file = (task.result as { resultFile?: { contentType: string; fileName: string } } | null)
      ?.resultFile;
    if (task.state !== 'SUCCEEDED' || !file) {
      throw new ValidationFailedError([
        { field: 'id', reason: 'the task has no result file (not a finished export)' },
      ]);
    }
    const chunks = await this.tasks.fileOrFail(id, 'result');
    void reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.fileName}"`);
    return new StreamableFile(Readable.from(chunks, ONE_PIECE_AHEAD));
  }
}
