import { PassThrough } from 'node:stream';
import { Body, Controller, Get, Param, Put, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InjectConfig } from '../../config/config.module';
import type { ConsentConfig } from '../../config/config';
import { presentTask, TaskDto } from '../../tasks/task.dto';
import { Tasks } from '../../tasks/tasks.service';
import type { ConsentExportParams } from '../consent-export.task';
import { RequiresRole } from '../../auth/roles';
import type { AuthenticatedRequest } from '../../auth/authenticate.hook';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { requireOrganizationId } from '../../database/data-scope';
import { Idempotent } from '../../idempotency/idempotent.decorator';
import { UserIdPipe } from '../../lines/http/parse-id.pipe';
import { LinesQueries } from '../../lines/queries/lines.queries';
import { ConsentLedger } from '../consent-ledger';
import { ConsentExporter, EXPORT_CONTENT_TYPES, presentEntry } from '../consent-export';
import { verifyChain } from '../domain/consent-entry';
import { wordingProblems } from '../domain/consent-template';
import { ConsentLedgerRepository } from '../persistence/consent-ledger.repository';
import { ConsentTemplatesRepository } from '../persistence/consent-templates.repository';
import {
  ChainCheckDto,
  ConsentEntryDto,
  ConsentExportQuery,
  ConsentLedgerDto,
  ConsentTemplateDto,
  ConsentWordingDto,
} from './consent.dto';

/** Reading the consent ledger, exporting it for auditors, and the organisation's wording. */
@ApiTags('consent')
@ApiBearerAuth()
@Controller('v1')
export class ConsentController {
  constructor(
    private readonly entries: ConsentLedgerRepository,
    private readonly templates: ConsentTemplatesRepository,
    private readonly consent: ConsentLedger,
    private readonly queries: LinesQueries,
    private readonly exporter: ConsentExporter,
    private readonly tasks: Tasks,
    @InjectConfig('consent') private readonly config: ConsentConfig,
  ) {}

  /** The line's consent ledger, oldest first (kept after the user is deleted). */
  @Get('users/:id/networks/verizon/consent')
  @ApiOkResponse({ type: ConsentLedgerDto })
  async ledger(@Param('id', UserIdPipe) id: string): Promise<ConsentLedgerDto> {
    await this.queries.user(id);
    const entries = await this.entries.ofUser(id);
    const last = entries.filter((e) => e.kind === 'CONSENT_GIVEN' || e.kind === 'CONSENT_REVOKED').at(-1);
    return {
      consent: last ? (last.kind === 'CONSENT_GIVEN' ? 'GIVEN' : 'REVOKED') : 'NONE',
      entries: entries.map(presentEntry),
    };
  }

  /** Checks the line's hash chain: a changed, removed or reordered entry shows. */
  @Get('users/:id/networks/verizon/consent/verify')
  @ApiOkResponse({ type: ChainCheckDto })
  async verify(@Param('id', UserIdPipe) id: string): Promise<ChainCheckDto> {
    await this.queries.user(id);
    const entries = await this.entries.ofUser(id);
    const byLine = new Map<string, typeof entries>();
    for (const entry of entries) byLine.set(entry.lineId, [...(byLine.get(entry.lineId) ?? []), entry]);
    for (const line of byLine.values()) {
      const check = verifyChain(line);
      if (!check.intact) return { ...check, entries: entries.length, brokenAt: check.brokenAt.toString() };
    }
    return { intact: true, entries: entries.length };
  }

  /**
   * The organisation's ledger (or one user's), streamed as CSV or JSON, oldest first.
   * Admins only: it is the whole record. Up to CONSENT_EXPORT_SYNC_MAX_ENTRIES entries the
   * file is the answer (200); more, and the answer is a task (202, Location) whose result
   * is the same file, so an auditor's download of years of record is never a request
   * that a client can lose.
   */
  @Get('consent/export')
  @RequiresRole('admin')
  @ApiProduces(EXPORT_CONTENT_TYPES.csv, EXPORT_CONTENT_TYPES.json)
  @ApiOkResponse({
    description: 'CSV (one header row, RFC 4180) or a JSON array of entries',
    type: [ConsentEntryDto],
  })
  @ApiAcceptedResponse({ type: TaskDto, description: 'Too many entries for one answer: the export task' })
  async export(
    @Query() query: ConsentExportQuery,
    @Req() request: FastifyRequest & AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const format = query.format ?? 'csv';
    const filter = {
      userId: query.userId,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    };
    if (await this.exporter.isLarge(filter, this.config.exportSyncMaxEntries)) {
      const params: ConsentExportParams = {
        format,
        filter: { userId: query.userId, from: query.from, to: query.to },
      };
      const task = await this.tasks.enqueue(
        'export_consent',
        { ...params },
        request.principal?.subject ?? 'unknown',
      );
      await reply.status(202).header('location', `/v1/tasks/${task.id}`).send(presentTask(task));
      return;
    }
    const body = new PassThrough();
    const done = this.exporter.run(filter, format, body);
    // The answer starts with the header row; a failure after that (the database going away
    // mid-export) ends the stream early, so the reader sees a truncated body, never a
    // complete-looking one.
    void done.catch((error: unknown) => body.destroy(error as Error));
    await reply
      .header('content-type', EXPORT_CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="consent-ledger.${format}"`)
      .send(body);
  }

  @Get('organization/consent-template')
  @ApiOkResponse({ type: ConsentTemplateDto })
  template(): Promise<ConsentTemplateDto> {
    return this.consent.template(requireOrganizationId());
  }

  /** Sets the organisation's wording (as its customer approved it): a new version each time. */
  @Put('organization/consent-template')
  @RequiresRole('admin')
  @Idempotent()
  @ApiOkResponse({ type: ConsentTemplateDto })
  async setTemplate(
    @Body() body: ConsentWordingDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<ConsentTemplateDto> {
    const wording = {
      optInText: body.optInText,
      helpText: body.helpText,
      optInConfirmation: body.optInConfirmation,
      optOutConfirmation: body.optOutConfirmation,
      reminderText: body.reminderText,
    };
    const problems = wordingProblems(wording);
    if (problems.length > 0) throw new ValidationFailedError(problems);
    return this.templates.save(requireOrganizationId(), wording, request.principal?.subject ?? 'unknown');
  }
}
