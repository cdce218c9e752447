/**
 * MDNs are personal data: logs keep the country code and area code and the last four
 * digits (`+1201***0123`), enough to tell lines apart, not enough to call anyone.
 */
const PHONE_LIKE = /(?<![\w.-])\+?\d{10,15}(?![\w.-])/g;

export function maskMdn(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 8) return '***';
  const plus = value.trim().startsWith('+') ? '+' : '';
  return `${plus}${digits.slice(0, 4)}***${digits.slice(-4)}`;
}

export function maskMdnsInText(text: string): string {
  return text.replace(PHONE_LIKE, maskMdn);
}

/** Deep copy of a log object with every phone-like string masked. */
export function maskMdnsDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskMdnsInText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => maskMdnsDeep(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = maskMdnsDeep(item, depth + 1);
  return out;
}
