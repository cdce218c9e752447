import { overWorkbookLimit, unreadableWorkbook } from './workbook-errors';

/** One file in a zip, as its central directory describes it. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated: the only two this reader takes. */
  method: 0 | 8;
  crc32: number;
  compressedSize: number;
  /** What the directory says it inflates to; the upload chose it, so it may lie. */
  declaredSize: number;
  /** Where its compressed bytes start in the file. */
  dataOffset: number;
}

// The records of the zip format (APPNOTE.TXT, 4.3): their signatures and fixed sizes.
const END_SIGNATURE = 0x06054b50;
const END_SIZE = 22;
const CENTRAL_SIGNATURE = 0x02014b50;
const CENTRAL_SIZE = 46;
const LOCAL_SIGNATURE = 0x04034b50;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;
const ZIP64_MARK = 0xffffffff;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8_NAME = 0x0800;

/**
 * The entries of a zip, read from its central directory without inflating anything.
 * Every offset is checked against the file, so a damaged or hostile directory is an
 * unreadable workbook rather than a read out of bounds; more than `maxEntries` is a 413.
 */
export function readZipDirectory(file: Buffer, maxEntries: number): ZipEntry[] {
  const end = findEndRecord(file);
  const count = file.readUInt16LE(end + 10);
  if (count > maxEntries) throw overWorkbookLimit(`the workbook holds more than ${maxEntries} files`);
  const size = file.readUInt32LE(end + 12);
  const start = file.readUInt32LE(end + 16);
  const disks = [file.readUInt16LE(end + 4), file.readUInt16LE(end + 6)];
  if (disks.some((disk) => disk !== 0) || file.readUInt16LE(end + 8) !== count) {
    throw unreadableWorkbook('a zip split over several disks');
  }
  if (size === ZIP64_MARK || start === ZIP64_MARK) throw unreadableWorkbook('zip64 is not supported');
  if (start + size > end) throw unreadableWorkbook('its zip directory is out of bounds');

  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let at = start;
  for (let index = 0; index < count; index += 1) {
    if (at + CENTRAL_SIZE > start + size || file.readUInt32LE(at) !== CENTRAL_SIGNATURE) {
      throw unreadableWorkbook('its zip directory is damaged');
    }
    const flags = file.readUInt16LE(at + 8);
    const method = file.readUInt16LE(at + 10);
    const compressedSize = file.readUInt32LE(at + 20);
    const declaredSize = file.readUInt32LE(at + 24);
    const nameLength = file.readUInt16LE(at + 28);
    const next = at + CENTRAL_SIZE + nameLength + file.readUInt16LE(at + 30) + file.readUInt16LE(at + 32);
    if (next > start + size) throw unreadableWorkbook('its zip directory is damaged');
    const name = file.toString(
      flags & FLAG_UTF8_NAME ? 'utf8' : 'latin1',
      at + CENTRAL_SIZE,
      at + CENTRAL_SIZE + nameLength,
    );
    const localOffset = file.readUInt32LE(at + 42);
    if ([compressedSize, declaredSize, localOffset].includes(ZIP64_MARK)) {
      throw unreadableWorkbook('zip64 is not supported');
    }
    if (flags & FLAG_ENCRYPTED) throw unreadableWorkbook(`${name} is encrypted`);
    if (method !== 0 && method !== 8) throw unreadableWorkbook(`${name} uses zip method ${method}`);
    if (names.has(name)) throw unreadableWorkbook(`${name} appears twice`);
    names.add(name);
    const dataOffset = dataStart(file, localOffset, name);
    if (dataOffset + compressedSize > start) throw unreadableWorkbook(`${name} runs past its bounds`);
    entries.push({
      name,
      method: method === 0 ? 0 : 8,
      crc32: file.readUInt32LE(at + 16),
      compressedSize,
      declaredSize,
      dataOffset,
    });
    at = next;
  }
  return entries;
}

/** The end record is last, but for a comment of up to 64 KiB: search back for it. */
function findEndRecord(file: Buffer): number {
  const last = file.length - END_SIZE;
  for (let at = last; at >= 0 && at >= last - MAX_COMMENT; at -= 1) {
    if (
      file.readUInt32LE(at) === END_SIGNATURE &&
      at + END_SIZE + file.readUInt16LE(at + 20) === file.length
    ) {
      return at;
    }
  }
  throw unreadableWorkbook('it is not a zip archive');
}

/**
 * An entry's data follows its local header, whose name and extra field may differ in
 * length from the directory's: read them there.
 */
function dataStart(file: Buffer, localOffset: number, name: string): number {
  if (localOffset + LOCAL_SIZE > file.length || file.readUInt32LE(localOffset) !== LOCAL_SIGNATURE) {
    throw unreadableWorkbook(`${name} has no local header`);
  }
  return localOffset + LOCAL_SIZE + file.readUInt16LE(localOffset + 26) + file.readUInt16LE(localOffset + 28);
}
