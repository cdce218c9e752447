/**
 * What the list's `q` looks for, as the lower-cased text the database searches
 * (user_search_text in the user_search_sort_invites migration): the full name in both
 * orders, username, email and the MDN's digits.
 *
 * A query that is only a phone number's characters (digits, spaces, dashes, dots,
 * parentheses, a leading +) is reduced to its digits, so `(212) 555-0101`,
 * `212-555-0101`, `212 555 0101` and `+12125550101` all find +12125550101 (stored E.164,
 * searched without its +). Anything else is matched as typed, its runs of spaces made one.
 */
export function searchNeedle(q: string): string | undefined {
  const text = q.trim().replace(/\s+/g, ' ').toLowerCase();
  if (text === '') return undefined;
  if (PHONE_LIKE.test(text) && /\d/.test(text)) return text.replace(/\D/g, '');
  return text;
}

const PHONE_LIKE = /^\+?[\d\s().-]+$/;

/** A LIKE pattern that finds `needle` anywhere, its own % _ and \ taken literally. */
export function containsPattern(needle: string): string {
  return `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
