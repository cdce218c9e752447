import { inflateRaw } from 'node:zlib';
import { storedZip, type StoredFile } from './stored-zip';
import { overWorkbookLimit, unreadableWorkbook } from './workbook-errors';
import { formatBytes, type WorkbookLimits } from './workbook-limits';
import { readZipDirectory, type ZipEntry } from './zip-directory';

/**
 * Inflates an uploaded workbook within `limits` and packs it again, stored, with headers
 * that tell the truth: the sheet reader then reads exactly the bytes counted here.
 *
 * The sizes the upload declares are checked first, so that an honest bomb is refused
 * before anything is inflated. They can lie, and the sheet reader walks the local
 * headers, not this directory, so the limits are then held on the real output as well.
 * Inflating runs on libuv's thread pool (zlib's async API): the event loop stays free.
 */
export async function unpackWithinLimits(file: Buffer, limits: WorkbookLimits): Promise<Buffer> {
  const entries = readZipDirectory(file, limits.maxEntries);
  const declared = entries.reduce((sum, entry) => sum + entry.declaredSize, 0);
  if (declared > limits.maxExpandedBytes) throw tooLarge(limits);
  for (const entry of entries) {
    if (entry.declaredSize > ratioCap(entry, limits)) throw tooDense(entry, limits);
  }
  const files: StoredFile[] = [];
  let left = limits.maxExpandedBytes;
  for (const entry of entries) {
    const cap = Math.min(left, ratioCap(entry, limits));
    const data = await expand(file, entry, cap);
    if (data === undefined) throw cap === left ? tooLarge(limits) : tooDense(entry, limits);
    if (data.length !== entry.declaredSize) {
      throw unreadableWorkbook(`${entry.name} does not inflate to the size its zip header says`);
    }
    left -= data.length;
    files.push({ name: entry.name, crc32: entry.crc32, data });
  }
  return storedZip(files);
}

/** The most an entry may inflate to by the ratio limit. */
function ratioCap(entry: ZipEntry, limits: WorkbookLimits): number {
  return Math.max(limits.ratioGraceBytes, entry.compressedSize * limits.maxRatio);
}

/** The entry's bytes, or undefined past `cap`: zlib stops there rather than inflate it all. */
async function expand(file: Buffer, entry: ZipEntry, cap: number): Promise<Buffer | undefined> {
  const raw = file.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  if (entry.method === 0) return raw.length > cap ? undefined : raw;
  try {
    // zlib takes no cap of 0; a cap of 1 lets one byte through, caught below.
    const data = await inflate(raw, Math.max(cap, 1));
    return data.length > cap ? undefined : data;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw unreadableWorkbook(`${entry.name} does not inflate: ${(error as Error).message}`);
  }
}

function inflate(raw: Buffer, maxOutputLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    inflateRaw(raw, { maxOutputLength }, (error, data) => (error ? reject(error) : resolve(data))),
  );
}

function tooLarge(limits: WorkbookLimits) {
  return overWorkbookLimit(`the workbook expands to more than ${formatBytes(limits.maxExpandedBytes)}`);
}

function tooDense(entry: ZipEntry, limits: WorkbookLimits) {
  return overWorkbookLimit(`${entry.name} expands more than ${limits.maxRatio} times`);
}
