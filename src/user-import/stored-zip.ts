/** A file to pack, with the CRC-32 its upload gave it. */
export interface StoredFile {
  name: string;
  crc32: number;
  data: Buffer;
}

/**
 * Packs files into a zip without compression, headers written from the bytes at hand:
 * what the sheet reader gets after the upload was inflated within limits.
 */
export function storedZip(files: StoredFile[]): Buffer {
  const names = files.map((file) => Buffer.from(file.name, 'utf8'));
  const directorySize = names.reduce((sum, name) => sum + 46 + name.length, 0);
  const dataSize = files.reduce((sum, file, index) => sum + 30 + names[index].length + file.data.length, 0);
  const zip = Buffer.alloc(dataSize + directorySize + 22);
  let at = 0;
  let central = dataSize;
  files.forEach((file, index) => {
    const name = names[index];
    // Version 10, UTF-8 names, stored, no date: the same fields in both headers.
    const fields = (header: number) => {
      zip.writeUInt16LE(10, header);
      zip.writeUInt16LE(0x0800, header + 2);
      zip.writeUInt16LE(0, header + 4);
      zip.writeUInt32LE(0, header + 6);
      zip.writeUInt32LE(file.crc32, header + 10);
      zip.writeUInt32LE(file.data.length, header + 14);
      zip.writeUInt32LE(file.data.length, header + 18);
      zip.writeUInt16LE(name.length, header + 22);
    };
    zip.writeUInt32LE(0x04034b50, at);
    fields(at + 4);
    name.copy(zip, at + 30);
    file.data.copy(zip, at + 30 + name.length);
    zip.writeUInt32LE(0x02014b50, central);
    zip.writeUInt16LE(10, central + 4);
    fields(central + 6);
    zip.writeUInt32LE(at, central + 42);
    name.copy(zip, central + 46);
    at += 30 + name.length + file.data.length;
    central += 46 + name.length;
  });
  zip.writeUInt32LE(0x06054b50, central);
  zip.writeUInt16LE(files.length, central + 8);
  zip.writeUInt16LE(files.length, central + 10);
  zip.writeUInt32LE(directorySize, central + 12);
  zip.writeUInt32LE(dataSize, central + 16);
  return zip;
}
