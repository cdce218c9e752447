/**
 * What makes two deliveries copies of each other: the same source and the same payload
 * id or `webhook-id`.
 */
export interface DeliveryKeys {
  source: string;
  payloadId: string;
  webhookId: string;
}

/** Marks the first of its copies in `copyOf`'s answer. */
export const FIRST = -1;

/**
 * For deliveries stored together in one INSERT: for each, the index of an earlier one in
 * the batch it is a copy of, or FIRST. Only first copies go in the INSERT: ON CONFLICT
 * would skip a later copy too, but the rows it returns could not tell the two apart. A
 * later copy's answer then follows from its first copy's: stored, it is a duplicate;
 * not stored (a duplicate of an older delivery, on a key the copy may not share), the
 * copy is written again on its own.
 */
export function copyOf(deliveries: readonly DeliveryKeys[]): number[] {
  const firstWith = new Map<string, number>();
  return deliveries.map(({ source, payloadId, webhookId }, i) => {
    const keys = [`id ${source} ${payloadId}`, `webhook ${source} ${webhookId}`];
    const earlier = keys.map((key) => firstWith.get(key)).find((at) => at !== undefined);
    if (earlier !== undefined) return earlier;
    for (const key of keys) firstWith.set(key, i);
    return FIRST;
  });
}
