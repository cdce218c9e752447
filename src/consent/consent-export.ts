import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { ConsentEntry } from './domain/consent-entry';
import { ConsentLedgerRepository, type LedgerFilter } from './persistence/consent-ledger.repository';

export type { LedgerFilter };

export type ExportFormat = 'csv' | 'json';

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

const PAGE = 2_000;

export const EXPORT_COLUMNS = [
  'id',
  'lineId',
  'userId',
  'mdnHash',
  'kind',
  'source',
  'occurredAt',
  'recordedAt',
  'messageText',
  'templateVersion',
  'gatewayMessageId',
  'deliveryStatus',
  'deliveryReason',
  'refersTo',
  'replyText',
  'replyReading',
  'actor',
  'prevHash',
  'hash',
] as const;

/**
 * Writes the ledger entries the filter selects (of the organisation in scope) to `sink`,
 * oldest first, page by page: memory stays flat whatever the size, and a slow reader
 * slows the reading (the sink's back-pressure is awaited). Ends the sink; returns how
 * many entries went out. A background task can run it as it is, with a file as the sink.
 */
export async function exportConsentLedger(
  ledger: Pick<ConsentLedgerRepository, 'page'>,
  filter: LedgerFilter,
  format: ExportFormat,
  sink: Writable,
): Promise<number> {
  let count = 0;
  let after = 0n;
  await write(sink, format === 'csv' ? `${EXPORT_COLUMNS.join(',')}\r\n` : '[');
  for (;;) {
    const page = await ledger.page(filter, after, PAGE);
    if (page.length === 0) break;
    const chunk =
      format === 'csv'
        ? page.map((entry) => `${csvRow(entry)}\r\n`).join('')
        : page
            .map((entry, i) => `${count + i === 0 ? '\n' : ',\n'}${JSON.stringify(presentEntry(entry))}`)
            .join('');
    await write(sink, chunk);
    count += page.length;
    after = page[page.length - 1].id;
    if (page.length < PAGE) break;
  }
  if (format === 'json') await write(sink, count === 0 ? ']\n' : '\n]\n');
  sink.end();
  return count;
}

/**
 * The export as a provider, for the HTTP route and for a background task alike: call it
 * inside the organisation's scope (`actingForOrganization(id, …)`), with a filter, a
 * format and any Writable (the HTTP answer, a file, an object-store upload).
 */
@Injectable()
export class ConsentExporter {
  constructor(private readonly ledger: ConsentLedgerRepository) {}

  run(filter: LedgerFilter, format: ExportFormat, sink: Writable): Promise<number> {
    return exportConsentLedger(this.ledger, filter, format, sink);
  }

  /** Whether the filter selects more than `max` entries (then the export is a task's work). */
  async isLarge(filter: LedgerFilter, max: number): Promise<boolean> {
    return (await this.ledger.countUpTo(filter, max + 1)) > max;
  }
}

/** An entry as the API and the JSON export give it (ids as strings: they are 64-bit). */
export function presentEntry(entry: ConsentEntry) {
  return {
    id: entry.id.toString(),
    lineId: entry.lineId,
    userId: entry.userId,
    mdnHash: entry.mdnHash,
    kind: entry.kind,
    source: entry.source,
    occurredAt: entry.occurredAt.toISOString(),
    recordedAt: entry.recordedAt.toISOString(),
    messageText: entry.messageText,
    templateVersion: entry.templateVersion,
    gatewayMessageId: entry.gatewayMessageId,
    deliveryStatus: entry.deliveryStatus,
    deliveryReason: entry.deliveryReason,
    refersTo: entry.refersTo?.toString() ?? null,
    replyText: entry.replyText,
    replyReading: entry.replyReading,
    actor: entry.actor,
    prevHash: entry.prevHash,
    hash: entry.hash,
  };
}

function csvRow(entry: ConsentEntry): string {
  const shown = presentEntry(entry);
  return EXPORT_COLUMNS.map((column) => csvField(shown[column])).join(',');
}

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so a spreadsheet never runs it. */
function csvField(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

async function write(sink: Writable, chunk: string): Promise<void> {
  if (sink.destroyed) throw new Error('The export’s reader went away');
  if (sink.write(chunk)) return;
  // Whichever comes first; the other's listeners are removed (else one pair per wait
  // stayed on the sink: a long export into a slow sink leaked thousands).
  const waited = new AbortController();
  try {
    await Promise.race([
      once(sink, 'drain', { signal: waited.signal }),
      once(sink, 'close', { signal: waited.signal }),
    ]);
  } finally {
    waited.abort();
  }
}
