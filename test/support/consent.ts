import type { FlowHarness } from './flow';

/** One ledger entry as GET …/verizon/consent gives it (the fields the tests read). */
export interface LedgerEntry {
  id: string;
  lineId: string;
  userId: string;
  kind: string;
  source: string;
  messageText: string | null;
  templateVersion: string | null;
  gatewayMessageId: string | null;
  deliveryStatus: string | null;
  deliveryReason: string | null;
  refersTo: string | null;
  replyText: string | null;
  replyReading: string | null;
  actor: string | null;
  prevHash: string | null;
  hash: string;
}

export interface Ledger {
  consent: 'GIVEN' | 'REVOKED' | 'NONE';
  entries: LedgerEntry[];
}

export async function ledgerOf(flow: FlowHarness, userId: string): Promise<Ledger> {
  const response = await flow.admin.get<Ledger>(`/v1/users/${userId}/networks/verizon/consent`);
  if (response.status !== 200) throw new Error(`consent ledger: ${response.status}`);
  return response.body;
}

/** The entries as `KIND` or `KIND:detail` strings, for compact comparisons. */
export function kinds(ledger: Ledger): string[] {
  return ledger.entries.map((entry) => entry.kind);
}

/** The subscriber's reply through the SMS gateway, signed; the flow then settles. */
export async function replyAs(flow: FlowHarness, mdn: string, text: string): Promise<number> {
  const response = await flow.simulator.deliver('sms', {
    messageId: `m-${Math.random()}`,
    from: mdn,
    text,
    receivedAt: flow.clock.now().toISOString(),
  });
  await flow.settle();
  return response.status;
}
