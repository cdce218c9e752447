import { NOTHING_IN_FLIGHT, toColumns } from './in-flight';

/**
 * The move that records an opt-in text as sent, written when the gateway took it, or
 * earlier when the subscriber's reply to it comes first (a reply proves the text went
 * out). Guarded by the text's key: whichever of the two comes second changes nothing.
 */
export function textSentMove(text: { key: string; count: number }, maxSends: number, now: Date) {
  return {
    to: 'OPT_IN_SENT' as const,
    source: 'OPT_IN_SEND' as const,
    detail: `opt-in text ${text.count} of ${maxSends}`,
    guard: (current: { inflightKey: string | null }) => current.inflightKey === text.key,
    // The interval runs from when the text surely went out.
    flow: () => ({ ...toColumns(NOTHING_IN_FLIGHT), optInLastSentAt: now, reconcileAt: now }),
  };
}
