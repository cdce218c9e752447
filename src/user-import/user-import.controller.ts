import { Controller, Get, Header, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticatedRequest } from '../auth/authenticate.hook';
import { RequiresRole } from '../auth/roles';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { AcceptsBody } from '../http/route-policy';
import { ValidationFailedError } from '../common/errors/domain-error';
import { LinesQueries } from '../lines/queries/lines.queries';
import { parseImportSheet } from './import-sheet';
import { ImportRejectedError, ImportUsers } from './import-users.usecase';
import { errorsWorkbook, readFirstSheet, templateWorkbook, XLSX_MIME } from './users-workbook';

/** Users per import file: bigger files are split, so one request stays short. */
export const MAX_IMPORT_ROWS = 1_000;

/** Import files are bigger than the 64 KiB every other body is held to. */
const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

@ApiTags('users')
@ApiBearerAuth()
@Controller('v1/users/import')
export class UserImportController {
  constructor(
    private readonly importUsers: ImportUsers,
    private readonly queries: LinesQueries,
  ) {}

  @Get('template')
  @ApiProduces(XLSX_MIME)
  @Header('content-type', XLSX_MIME)
  @Header('content-disposition', 'attachment; filename="users-import-template.xlsx"')
  template(): Promise<Buffer> {
    return templateWorkbook();
  }

  /**
   * Registers every user in the .xlsx body, or none. Rejected: 400 with each bad row's
   * errors, or, when the caller accepts .xlsx, the file back with an Errors column.
   */
  @Post()
  @HttpCode(201)
  @RequiresRole('admin')
  @Idempotent()
  @AcceptsBody([XLSX_MIME], MAX_IMPORT_BYTES)
  @ApiConsumes(XLSX_MIME)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  async import(
    @Req() request: FastifyRequest & AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!Buffer.isBuffer(request.body)) {
      throw new ValidationFailedError([{ field: 'file', reason: `must be sent as ${XLSX_MIME}` }]);
    }
    const sheet = parseImportSheet(await readFirstSheet(request.body), MAX_IMPORT_ROWS);
    if (!sheet.ok) {
      throw new ValidationFailedError(sheet.problems.map((reason) => ({ field: 'file', reason })));
    }
    try {
      const users = await this.importUsers.execute(sheet.fields, sheet.rows, importKeyOf(request));
      return { imported: users.length, users: users.map((user) => this.queries.present(user)) };
    } catch (error) {
      if (!(error instanceof ImportRejectedError) || !wantsWorkbook(request)) throw error;
      void reply
        .status(400)
        .header('content-type', XLSX_MIME)
        .header('content-disposition', 'attachment; filename="users-import-errors.xlsx"');
      return errorsWorkbook(error.fields, error.rows);
    }
  }
}

/** The caller's Idempotency-Key, as its own (keys are per principal), apart from registrations'. */
function importKeyOf(request: FastifyRequest & AuthenticatedRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' ? `import:${request.principal?.subject ?? ''}:${key}` : undefined;
}

function wantsWorkbook(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes(XLSX_MIME);
}
