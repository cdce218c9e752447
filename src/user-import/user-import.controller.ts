import { Controller, Get, Header, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiProduces,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticatedRequest } from '../auth/authenticate.hook';
import { RequiresRole } from '../auth/roles';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { idempotencyOf } from '../idempotency/request-idempotency';
import { AcceptsBody } from '../http/route-policy';
import { ValidationFailedError } from '../common/errors/domain-error';
import { presentTask, TaskDto } from '../tasks/task.dto';
import { Tasks } from '../tasks/tasks.service';
import type { ImportParams } from './import-task.handler';
import { fileOfMultipart, type UploadedFile } from './multipart';
import { formatOf, IMPORT_BODY_TYPES, IMPORT_ROUTE_TYPES, MULTIPART, XLSX_MIME } from './upload-format';
import { templateWorkbook } from './users-workbook';

/** Import files are bigger than the 64 KiB every other body is held to: 100,000 users fit. */
export const MAX_IMPORT_BYTES = 32 * 1024 * 1024;

export class ImportQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Check every row, import none' })
  @IsOptional()
  @IsIn(['true', 'false'])
  dryRun?: 'true' | 'false';
}

@ApiTags('users')
@ApiBearerAuth()
@Controller('v1/users/import')
export class UserImportController {
  constructor(private readonly tasks: Tasks) {}

  @Get('template')
  @ApiProduces(XLSX_MIME)
  @Header('content-type', XLSX_MIME)
  @Header('content-disposition', 'attachment; filename="users-import-template.xlsx"')
  template(): Promise<Buffer> {
    return templateWorkbook();
  }

  /**
   * Queues the import of every user of the file, or none, as a task (202, Location: the
   * task). The task checks each row; a bad row rejects the file, and the task's errors
   * file is the sheet with an Errors column.
   */
  @Post()
  @HttpCode(202)
  @RequiresRole('admin')
  @Idempotent()
  @AcceptsBody(IMPORT_ROUTE_TYPES, MAX_IMPORT_BYTES)
  @ApiConsumes(...IMPORT_BODY_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiAcceptedResponse({ type: TaskDto, description: 'The import task; follow Location' })
  async import(
    @Req() request: FastifyRequest & AuthenticatedRequest,
    @Query() query: ImportQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    const upload = uploadOf(request);
    if (upload.data.length === 0) throw new ValidationFailedError([{ field: 'file', reason: 'is empty' }]);
    const params: ImportParams = {
      format: formatOf(upload.data, upload.contentType, upload.fileName),
      dryRun: query.dryRun === 'true',
      ...(upload.fileName ? { fileName: upload.fileName } : {}),
    };
    const task = await this.tasks.enqueue(
      'import_users',
      { ...params },
      request.principal?.subject ?? 'unknown',
      { upload: upload.data, idempotency: idempotencyOf(request) },
    );
    void reply.header('location', `/v1/tasks/${task.id}`);
    return presentTask(task);
  }
}

/** The uploaded file: the body itself, or the file part of an upload form. */
function uploadOf(request: FastifyRequest): UploadedFile {
  if (!Buffer.isBuffer(request.body)) {
    throw new ValidationFailedError([
      { field: 'file', reason: `must be sent as ${IMPORT_BODY_TYPES.join(' or ')}` },
    ]);
  }
  const header = request.headers['content-type'] ?? '';
  const type = header.split(';')[0].trim().toLowerCase();
  return type === MULTIPART
    ? fileOfMultipart(request.body, header)
    : { data: request.body, contentType: type };
}
