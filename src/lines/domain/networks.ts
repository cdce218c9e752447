/**
 * Carrier networks by the key used in URLs, events and configuration. Verizon runs the
 * SMS opt-in flow; the others provision directly. Adding a network is a line here and its
 * folder in src/carriers (adapter and simulator part, named in carrier-registry.ts).
 */
export const NETWORKS = {
  verizon: { name: 'Verizon', kind: 'opt-in' },
  att: { name: 'AT&T', kind: 'direct' },
  tmobile: { name: 'T-Mobile', kind: 'direct' },
} as const satisfies Record<string, { name: string; kind: NetworkKind }>;

export type NetworkKind = 'opt-in' | 'direct';
export type Network = keyof typeof NETWORKS;

export const NETWORK_KEYS = Object.keys(NETWORKS) as Network[];

export function isNetwork(value: string): value is Network {
  return Object.hasOwn(NETWORKS, value);
}

export function networkKind(network: Network): NetworkKind {
  return NETWORKS[network].kind;
}

/** Networks whose lines show RED when not enabled: those that run the opt-in flow. */
export const OPT_IN_NETWORKS = NETWORK_KEYS.filter((network) => networkKind(network) === 'opt-in');

/** Without case, spaces or punctuation: "AT&T", "at&t" and "att" are one name. */
function comparableName(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const NETWORK_BY_NAME = new Map<string, Network>(
  NETWORK_KEYS.flatMap((network) => [
    [comparableName(network), network],
    [comparableName(NETWORKS[network].name), network],
  ]),
);

/** The network a person typed, by key or display name in any case (`Verizon`, `AT&T`, `t-mobile`). */
export function networkByName(text: string): Network | undefined {
  return NETWORK_BY_NAME.get(comparableName(text));
}
