/**
 * Verizon's rule for the opt-in reply: YES alone, in any case, surrounding white space
 * tolerated; nothing else counts (no full stop, no signature, no extra words). The
 * standard opt-out keywords stop the flow.
 */
export type OptInReply = 'YES' | 'OPT_OUT' | 'INVALID';

export const OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'] as const;

export function classifyReply(text: string): OptInReply {
  const word = text.trim().toUpperCase();
  if (word === 'YES') return 'YES';
  if ((OPT_OUT_KEYWORDS as readonly string[]).includes(word)) return 'OPT_OUT';
  return 'INVALID';
}
