/**
 * How a subscriber's SMS reply is read. Pure; the ledger keeps the raw reply and the
 * reading beside it, so an auditor sees both.
 *
 * - YES: Verizon's (TeleMessage's) rule: YES alone, in any case, surrounding white space
 *   tolerated; nothing else counts (no full stop, no signature, no extra words).
 * - OPT_OUT, read two ways:
 *   - STOP_KEYWORD: the whole reply is one of the industry's opt-out keywords (CTIA and
 *     TCPA guidance), in any case, with trailing punctuation tolerated ("Stop.").
 *   - STOP_PHRASE: a reply a reasonable person reads as "stop texting me". Where the line
 *     is drawn: a reply that begins with an opt-out keyword ("Stop texting me", "Cancel
 *     please"), that is a plain refusal ("No", "No thanks"), or that contains one of the
 *     phrases in STOP_PHRASES anywhere ("please remove me from this list"). A keyword
 *     further inside a sentence ("I'll do it at the end of the day", "don't stop") is not
 *     an opt-out; neither is anything else. When in doubt the list errs towards stopping:
 *     a wrong stop costs an administrator's new round, a wrong consent costs the basis.
 * - HELP: HELP or INFO alone (trailing punctuation tolerated).
 * - INVALID: anything else ("Yes.", "YES - Ada", "ok").
 * A reply that is both (none is, by the lists) would be read as an opt-out first.
 */
export type OptInReply = 'YES' | 'HELP' | 'OPT_OUT' | 'INVALID';
export type ReplyReading = 'YES' | 'HELP' | 'STOP_KEYWORD' | 'STOP_PHRASE' | 'INVALID';

export const OPT_OUT_KEYWORDS = [
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPT OUT',
  'OPTOUT',
  'OPT-OUT',
] as const;

export const HELP_KEYWORDS = ['HELP', 'INFO'] as const;

/** Phrases that ask to stop wherever they stand in the reply (compared upper-case, one space). */
export const STOP_PHRASES = [
  'STOP TEXTING',
  'STOP MESSAGING',
  'STOP SENDING',
  'STOP CONTACTING',
  'DO NOT TEXT',
  "DON'T TEXT",
  'DONT TEXT',
  'DO NOT MESSAGE',
  "DON'T MESSAGE",
  'DO NOT CONTACT',
  "DON'T CONTACT",
  'REMOVE ME',
  'TAKE ME OFF',
  'OPT ME OUT',
  'UNSUBSCRIBE ME',
  'NO MORE TEXTS',
  'NO MORE MESSAGES',
  'LEAVE ME ALONE',
  'I DO NOT CONSENT',
  "I DON'T CONSENT",
  'I REVOKE',
  'WITHDRAW MY CONSENT',
  'WITHDRAW CONSENT',
] as const;

/** Whole replies that refuse (the opt-in text asks a yes-or-no question). */
const REFUSALS = new Set(['NO', 'NOPE', 'NO THANKS', 'NO THANK YOU']);

export function readReply(text: string): ReplyReading {
  if (text.trim().toUpperCase() === 'YES') return 'YES';
  const plain = normalise(text);
  const bare = plain.replace(/[.!]+$/, '');
  if ((OPT_OUT_KEYWORDS as readonly string[]).includes(bare)) return 'STOP_KEYWORD';
  if (asksToStop(plain)) return 'STOP_PHRASE';
  if ((HELP_KEYWORDS as readonly string[]).includes(bare)) return 'HELP';
  return 'INVALID';
}

export function classifyReply(text: string): OptInReply {
  const reading = readReply(text);
  if (reading === 'STOP_KEYWORD' || reading === 'STOP_PHRASE') return 'OPT_OUT';
  return reading;
}

function asksToStop(plain: string): boolean {
  const words = plain
    .replace(/[^A-Z' -]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (REFUSALS.has(words)) return true;
  const first = words.split(' ')[0];
  const firstTwo = words.split(' ').slice(0, 2).join(' ');
  const keywords = OPT_OUT_KEYWORDS as readonly string[];
  if (words.length > 0 && (keywords.includes(first) || keywords.includes(firstTwo))) return true;
  return STOP_PHRASES.some((phrase) => ` ${words} `.includes(` ${phrase} `));
}

/** Upper case, typographic apostrophes made plain, white space collapsed. */
function normalise(text: string): string {
  return text
    .toUpperCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}
