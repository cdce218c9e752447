import { createHash, randomBytes } from 'node:crypto';

/**
 * A UUIDv7 (RFC 9562: the time in ms, then random bits), as Prisma's `uuid(7)` default
 * makes them: for rows inserted in bulk without Prisma, so they keep the id order the
 * list and the export walk in.
 */
export function uuidV7(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  return formatted(bytes, 0x70);
}

/**
 * A name-based UUIDv5 (RFC 9562: SHA-1 of the namespace's bytes and the name): the same
 * name always gives the same id, for records made again from the same source.
 */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name)
    .digest();
  return formatted(hash.subarray(0, 16), 0x50);
}

function formatted(bytes: Buffer, version: number): string {
  bytes[6] = (bytes[6] & 0x0f) | version;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
