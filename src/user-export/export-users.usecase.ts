import { Injectable } from '@nestjs/common';
import { LinesQueries } from '../lines/queries/lines.queries';
import type { UserView } from '../lines/queries/user-view';
import type { ListUsersQuery } from '../lines/http/list-users.query';
import { EXPORT_HEADERS, exportRow } from './export-columns';
import { exportFile, type ExportFormat } from './export-writers';

/** The list's filters, as GET /v1/users takes them (no paging). */
export type ExportFilter = Omit<ListUsersQuery, 'cursor' | 'limit'>;

/** Users read per page while an export walks the list. */
const PAGE = 1_000;

/** What an export is: a file of a few users now, or too many for one request. */
export type ExportPlan = { kind: 'now'; users: UserView[] } | { kind: 'task' };

/**
 * The users GET /v1/users would list with the same filters, as a spreadsheet: read page
 * by page in the list's own order and written as they come, so memory holds one page.
 */
@Injectable()
export class ExportUsers {
  constructor(private readonly queries: LinesQueries) {}

  /** Up to `maxNow` users are exported in the request; more are a task's work. */
  async plan(filter: ExportFilter, maxNow: number): Promise<ExportPlan> {
    if (maxNow === 0) return { kind: 'task' };
    const page = await this.queries.list({ ...toListFilter(filter), limit: maxNow });
    return page.nextCursor === null ? { kind: 'now', users: page.items } : { kind: 'task' };
  }

  /** The file of these users (a plan's). */
  fileOf(format: ExportFormat, users: UserView[]): AsyncGenerator<Buffer> {
    return exportFile(format, EXPORT_HEADERS, users.map(exportRow));
  }

  /** The file of every matching user, read page by page; `onPage` hears how many so far. */
  file(
    format: ExportFormat,
    filter: ExportFilter,
    onPage?: (rows: number) => Promise<void>,
  ): AsyncGenerator<Buffer> {
    return exportFile(format, EXPORT_HEADERS, this.rows(filter, onPage));
  }

  private async *rows(
    filter: ExportFilter,
    onPage?: (rows: number) => Promise<void>,
  ): AsyncGenerator<string[]> {
    let cursor: string | undefined;
    let rows = 0;
    do {
      const page = await this.queries.list({ ...toListFilter(filter), limit: PAGE, cursor });
      for (const user of page.items) yield exportRow(user);
      rows += page.items.length;
      await onPage?.(rows);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
}

function toListFilter({ q, ...filter }: ExportFilter) {
  return { ...filter, search: q };
}
