import { crc32, deflateRawSync } from 'node:zlib';

/**
 * Hostile .xlsx files, built byte by byte: a zip writer that can lie about sizes, and
 * the smallest workbook read-excel-file reads. Deflated with node:zlib, like Excel does.
 */
export interface ZipPart {
  name: string;
  data: Buffer;
  /** The uncompressed size the headers claim; the true size unless a test wants a liar. */
  declaredSize?: number;
  /**
   * Leave sizes out of the local header (flag bit 3, as streaming writers do), so a
   * reader that walks local headers cannot know the size before inflating.
   */
  streamed?: boolean;
}

export function zipArchive(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name, 'utf8');
    const body = deflateRawSync(part.data, { level: 9 });
    const crc = crc32(part.data);
    const size = part.declaredSize ?? part.data.length;
    const flags = 0x0800 | (part.streamed ? 0x0008 : 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(part.streamed ? 0 : crc, 14);
    local.writeUInt32LE(part.streamed ? 0 : body.length, 18);
    local.writeUInt32LE(part.streamed ? 0 : size, 22);
    local.writeUInt16LE(name.length, 26);
    const descriptor = Buffer.alloc(part.streamed ? 16 : 0);
    if (part.streamed) {
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(body.length, 8);
      descriptor.writeUInt32LE(size, 12);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body, descriptor);
    centrals.push(central, name);
    offset += local.length + name.length + body.length + descriptor.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`;
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
const WORKBOOK = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Users" sheetId="1" r:id="rId1"/></sheets></workbook>`;
const WORKBOOK_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`;

export const SHEET_PATH = 'xl/worksheets/sheet1.xml';

/** A workbook whose only sheet is `sheet`; `sheetPart` changes how its zip entry is written. */
export function workbookWithSheet(sheet: Buffer, sheetPart: Partial<ZipPart> = {}): Buffer {
  return zipArchive([
    { name: '[Content_Types].xml', data: Buffer.from(CONTENT_TYPES) },
    { name: '_rels/.rels', data: Buffer.from(ROOT_RELS) },
    { name: 'xl/workbook.xml', data: Buffer.from(WORKBOOK) },
    { name: 'xl/_rels/workbook.xml.rels', data: Buffer.from(WORKBOOK_RELS) },
    { name: SHEET_PATH, data: sheet, ...sheetPart },
  ]);
}

const SHEET_HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`;
const SHEET_TAIL = '</sheetData></worksheet>';

function row(number: number, texts: string[]): string {
  const cells = texts.map(
    (text, index) =>
      `<c r="${String.fromCharCode(65 + index)}${number}" t="inlineStr"><is><t>${text}</t></is></c>`,
  );
  return `<row r="${number}">${cells.join('')}</row>`;
}

const HEADER_AND_ONE_USER =
  row(1, ['First Name', 'Last Name', 'Login', 'Mobile Phone number', 'Email Address']) +
  row(2, ['Ada', 'Lovelace', 'ada', '+12015550123', 'ada@example.com']);

/**
 * A sheet of about `bytes` bytes: the import header, one user, then empty `<row/>`s. It
 * deflates about 1,000 to 1 (64 MiB is some 65 KiB on the wire), and the reader keeps an
 * array for every row: memory and time grow with the inflated size.
 */
export function emptyRowsSheet(bytes: number): Buffer {
  const padding = Math.max(0, bytes - SHEET_HEAD.length - HEADER_AND_ONE_USER.length - SHEET_TAIL.length);
  return Buffer.from(
    SHEET_HEAD + HEADER_AND_ONE_USER + '<row/>'.repeat(Math.floor(padding / 6)) + SHEET_TAIL,
  );
}

/**
 * A sheet of a few hundred bytes with a cell in column `column` (letters): every zip limit
 * passes, and the reader fills the row up to it with empty cells, one array growing.
 */
export function farColumnSheet(column: string): Buffer {
  const far = `<c r="${column}2" t="inlineStr"><is><t>far</t></is></c>`;
  return Buffer.from(SHEET_HEAD + HEADER_AND_ONE_USER.replace(/<\/row>$/, `${far}</row>`) + SHEET_TAIL);
}

/**
 * A sheet of a few hundred bytes whose last row is numbered `rowNumber`: every zip limit
 * passes, and the reader fills the gap with that many empty rows.
 */
export function farRowSheet(rowNumber: number): Buffer {
  return Buffer.from(SHEET_HEAD + HEADER_AND_ONE_USER + `<row r="${rowNumber}"/>` + SHEET_TAIL);
}
