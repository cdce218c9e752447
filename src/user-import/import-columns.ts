import { networkByName } from '../lines/domain/networks';
import type { RegisterUserDto } from '../lines/http/user.dto';

interface ImportColumn {
  header: string;
  /** The POST /v1/users body field the cell fills: a row is checked as that body is. */
  field: keyof RegisterUserDto;
  mandatory: boolean;
  aliases: readonly string[];
  /** How a typed cell becomes the field's value (left as typed when it cannot: the check names it). */
  normalize?: (text: string) => string;
}

/**
 * The columns of the user import file, as the admin console's template names them. One
 * table for the template, the parser, the check and the errors file: a new column is a
 * line here (its field a RegisterUserDto field).
 */
export const IMPORT_COLUMNS = [
  { header: 'First Name', field: 'firstName', mandatory: true, aliases: [] },
  { header: 'Last Name', field: 'lastName', mandatory: true, aliases: [] },
  { header: 'Login', field: 'username', mandatory: true, aliases: ['Username'] },
  { header: 'Mobile Phone number', field: 'mdn', mandatory: true, aliases: ['Mobile Number', 'MDN'] },
  { header: 'Business Phone number', field: 'businessPhone', mandatory: false, aliases: [] },
  { header: 'Email Address', field: 'email', mandatory: true, aliases: ['Email'] },
  { header: 'Company', field: 'company', mandatory: false, aliases: [] },
  { header: 'Unique Customer Code', field: 'customerCode', mandatory: false, aliases: ['Customer Code'] },
  { header: 'UDID', field: 'udid', mandatory: false, aliases: [] },
  { header: 'Service Level', field: 'serviceLevel', mandatory: false, aliases: [] },
  {
    header: 'Messaging App Version',
    field: 'messagingAppVersion',
    mandatory: false,
    aliases: ['Messaging App', 'App Version'],
  },
  {
    header: 'Network',
    field: 'network',
    mandatory: false,
    aliases: [],
    normalize: (text: string) => networkByName(text) ?? text,
  },
] as const satisfies readonly ImportColumn[];

export type ImportField = (typeof IMPORT_COLUMNS)[number]['field'];

const NORMALIZERS = new Map<string, (text: string) => string>(
  (IMPORT_COLUMNS as readonly ImportColumn[]).flatMap((column) =>
    column.normalize ? [[column.field, column.normalize] as const] : [],
  ),
);

/** A cell's text as its field takes it (the Network column: a key from a display name). */
export function normalizeCell(field: ImportField, text: string): string {
  return NORMALIZERS.get(field)?.(text) ?? text;
}

/**
 * The console's template also has a Password column. This service keeps no passwords:
 * the column is accepted, never stored, never logged and left out of the errors file.
 */
export const DISCARDED_HEADERS = ['Password'];

export const ERRORS_HEADER = 'Errors';

export function headerOf(field: ImportField): string {
  return IMPORT_COLUMNS.find((column) => column.field === field)!.header;
}

/** Header cells compare without case, spaces or punctuation: "E-mail address" is "Email Address". */
function comparable(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const FIELD_BY_HEADER = new Map<string, ImportField>(
  IMPORT_COLUMNS.flatMap((column) =>
    [column.header, ...column.aliases].map((name) => [comparable(name), column.field] as const),
  ),
);
const DISCARDED = new Set(DISCARDED_HEADERS.map(comparable));

export type HeaderMatch = { field: ImportField } | { discarded: true } | { unknown: true };

export function matchHeader(header: string): HeaderMatch {
  const key = comparable(header);
  const field = FIELD_BY_HEADER.get(key);
  if (field) return { field };
  return DISCARDED.has(key) ? { discarded: true } : { unknown: true };
}
