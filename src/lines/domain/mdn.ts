import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type MdnCheck = { ok: true; e164: string } | { ok: false; reason: string };

/**
 * Normalises a mobile number to E.164. Registration accepts any number of a possible
 * length; whether it can really be a mobile line is asked later (isValidMobile), when
 * provisioning decides between the opt-in text and Invalid Number.
 */
export function normalizeMdn(input: string, defaultCountry: CountryCode = 'US'): MdnCheck {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry);
  if (!parsed) return { ok: false, reason: 'is not a phone number' };
  if (!parsed.isPossible()) return { ok: false, reason: 'has the wrong number of digits for its country' };
  return { ok: true, e164: parsed.number };
}

/** Whether the number can be a mobile line (number plan and type), from libphonenumber's metadata. */
export function isValidMobile(e164: string): boolean {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed?.isValid()) return false;
  const type = parsed.getType();
  return type === undefined || type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
}
