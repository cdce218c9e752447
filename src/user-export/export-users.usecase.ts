import { Injectable } from '@nestjs/common';
import { LinesQueries } from '../lines/queries/lines.queries';
import type { ExportedUser } from '../lines/queries/exported-user';
import type { ListUsersQuery } from '../lines/http/list-users.query';
import { EXPORT_HEADERS, exportRow } from './export-columns';
import { exportFile, type ExportFormat } from './export-writers';

/** The list's filters, as GET /v1/users takes them (no paging). */
export type ExportFilter = Omit<ListUsersQuery, 'cursor' | 'limit' | 'sort'>;

/** Users read per page while an export walks the list. */
const PAGE = 2_000;

/** What an export is: a file of a few users now, or too many for one request. */
export type ExportPlan = { kind: 'now'; users: ExportedUser[] } | { kind: 'task' };

/**
 * The users GET /v1/users would list with the same filters, as a spreadsheet: read page
 * by page in the list's own order and written as they come, so memory holds a page or two.
 */
@Injectable()
export class ExportUsers {
  constructor(private readonly queries: LinesQueries) {}

  /** Up to `maxNow` users are exported in the request; more are a task's work. */
  async plan(filter: ExportFilter, maxNow: number): Promise<ExportPlan> {
    if (maxNow === 0) return { kind: 'task' };
    const users = await this.queries.exportPage(toListFilter(filter), undefined, maxNow + 1);
    return users.length <= maxNow ? { kind: 'now', users } : { kind: 'task' };
  }

  /** The file of these users (a plan's). */
  fileOf(format: ExportFormat, users: ExportedUser[]): AsyncGenerator<Buffer> {
    return exportFile(format, EXPORT_HEADERS, [users.map(exportRow)]);
  }

  /** The file of every matching user, read page by page; `onPage` hears how many so far. */
  file(
    format: ExportFormat,
    filter: ExportFilter,
    onPage?: (rows: number) => Promise<void>,
  ): AsyncGenerator<Buffer> {
    return exportFile(format, EXPORT_HEADERS, this.pages(filter, onPage));
  }

  /** The next page is asked for while this one is written: the database and the writer overlap. */
  private async *pages(
    filter: ExportFilter,
    onPage?: (rows: number) => Promise<void>,
  ): AsyncGenerator<string[][]> {
    const listFilter = toListFilter(filter);
    let rows = 0;
    let next = this.queries.exportPage(listFilter, undefined, PAGE);
    for (;;) {
      const page = await next;
      if (page.length === 0) return;
      const last = page[page.length - 1].id;
      next = page.length < PAGE ? Promise.resolve([]) : this.queries.exportPage(listFilter, last, PAGE);
      // A failed prefetch is seen when it is awaited, not as an unhandled rejection.
      next.catch(() => undefined);
      yield page.map(exportRow);
      rows += page.length;
      await onPage?.(rows);
    }
  }
}

/** The list's filters; an export is in id order whatever the list's sort. */
function toListFilter(filter: ExportFilter & { sort?: unknown }) {
  const { sort: _sort, ...rest } = filter;
  return rest;
}
