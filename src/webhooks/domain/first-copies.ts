/** What makes two deliveries copies of each other: the same source and payload id, or the same source and `webhook-id`. */
export interface DeliveryKeys {
  source: string;
  payloadId: string;
  webhookId: string;
}

/**
 * For deliveries stored together in one INSERT, which are the first of their copies: a
 * later copy in the same batch is a duplicate of the earlier one. ON CONFLICT would skip
 * it too, but the rows the INSERT returns could not tell the two apart.
 */
export function firstCopies(deliveries: readonly DeliveryKeys[]): boolean[] {
  const seen = new Set<string>();
  return deliveries.map(({ source, payloadId, webhookId }) => {
    const keys = [`id ${source} ${payloadId}`, `webhook ${source} ${webhookId}`];
    if (keys.some((key) => seen.has(key))) return false;
    for (const key of keys) seen.add(key);
    return true;
  });
}
