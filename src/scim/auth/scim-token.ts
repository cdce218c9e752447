import { createHash, randomBytes } from 'node:crypto';

/** What identifies SCIM tokens in logs and secret scanners: `scim_` and 256 random bits. */
export function newScimToken(): string {
  return `scim_${randomBytes(32).toString('base64url')}`;
}

/**
 * A token's SHA-256 (hex): the only form stored. A token has 256 bits of entropy, so a
 * fast hash loses nothing to guessing, and the lookup by digest is an index hit.
 */
export function scimTokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
