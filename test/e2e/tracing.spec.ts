import { eventually } from '../support/eventually';
import { acrossOrganizations } from '../../src/database/data-scope';
import { Client } from 'pg';
import { toKafkaMessage } from '../../src/outbox/event-encoding';
import { OutboxRepository } from '../../src/outbox/persistence/outbox.repository';
import { runInTrace } from '../../src/tracing/current-trace';
import { continueTrace, parseTraceparent } from '../../src/tracing/trace-context';
import { aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';
import { TEST_TOKENS } from '../support/tokens';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

/**
 * One subscriber's path under the trace its registration came with: the opt-in text, the
 * SMS gateway's reply (which echoes the trace, as the simulator's parties do), Verizon's
 * request and its callback, and every event written on the way.
 */
describe('W3C trace context', () => {
  let flow: FlowHarness;

  beforeAll(async () => {
    flow = await startFlow();
  });
  afterAll(() => flow.stop());

  const register = async (network: string, traceparent?: string) => {
    const response = await fetch(`${flow.running.baseUrl}/v1/users`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_TOKENS.admin}`,
        'content-type': 'application/json',
        ...(traceparent ? { traceparent } : {}),
      },
      body: JSON.stringify(aUser({ network })),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; mdn: string };
  };
  /** A party's calls about one number, however its wire format spells it. */
  const callsTo = (party: string, mdn: string) =>
    flow.simulator.requests.filter(
      (request) =>
        request.party === party && `${request.path} ${JSON.stringify(request.body)}`.includes(mdn.slice(1)),
    );
  const traceOf = (traceparent: string | null | undefined) => parseTraceparent(traceparent)?.traceId;

  it("carries an incoming traceparent into carrier calls, their callbacks and the events' Kafka headers", async () => {
    const user = await register('verizon', `00-${TRACE}-${CALLER_SPAN}-01`);
    await flow.settle();
    const [text] = callsTo('sms', user.mdn);
    const sent = parseTraceparent(text.traceparent);
    // Same trace and sampling; the call is a span of ours, not the caller's.
    expect(sent).toMatchObject({ traceId: TRACE, flags: '01' });
    expect(sent?.parentId).not.toBe(CALLER_SPAN);

    // The subscriber's YES comes back through the gateway, still in the trace.
    const reply = await flow.deliver(
      'sms',
      { messageId: 'trace-yes', from: user.mdn, text: 'YES', receivedAt: flow.clock.now().toISOString() },
      undefined,
      text.traceparent,
    );
    expect(reply.status).toBe(202);
    await flow.settle();
    const [request] = callsTo('verizon', user.mdn);
    expect(traceOf(request.traceparent)).toBe(TRACE);
    expect((await flow.admin.get(`/v1/users/${user.id}/networks`)).body[0].status).toBe('ENABLED');

    // Every event about the user (registered, each status up to ENABLED) carries the trace,
    // and the relay would publish it as the message's traceparent header.
    const outbox = flow.running.app.get(OutboxRepository);
    // The feed shows an event once no older transaction on the server can still commit
    // (another suite's may be open): wait for the last ones rather than read once.
    const read = async () =>
      (await acrossOrganizations('test', () => outbox.after(undefined, 1000))).filter(
        (row) => row.key === user.id,
      );
    const rows = await eventually(async () => {
      const found = await read();
      return found.length >= 6 ? found : undefined;
    }, 30_000).catch(read);
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const row of rows) {
      expect(traceOf(row.traceParent)).toBe(TRACE);
      expect(traceOf(toKafkaMessage(row, 'protobuf').headers.traceparent)).toBe(TRACE);
    }
  });

  it('begins a trace for a request without one, so that path can be followed too', async () => {
    const first = await register('att');
    const second = await register('att', 'not-a-traceparent');
    await flow.settle();
    const [a] = callsTo('att', first.mdn);
    const [b] = callsTo('att', second.mdn);
    expect(traceOf(a.traceparent)).toMatch(/^[0-9a-f]{32}$/);
    expect(traceOf(b.traceparent)).toMatch(/^[0-9a-f]{32}$/);
    expect(traceOf(a.traceparent)).not.toBe(traceOf(b.traceparent));
    expect(traceOf(a.traceparent)).not.toBe(TRACE);
    // Begun here, so nobody sampled it.
    expect(parseTraceparent(a.traceparent)?.flags).toBe('00');
  });

  it("a pass begun inside a request (its wake-up) lends that request's trace to no line", async () => {
    const traced = await register('tmobile', `00-${'1'.repeat(32)}-${CALLER_SPAN}-01`);
    const database = flow.database.config;
    if (database.kind !== 'postgres') throw new Error('the test needs PostgreSQL');
    // A line due with no trace stored (as before this change): its call goes out untraced.
    const untraced = await register('tmobile');
    const client = new Client({ connectionString: database.url });
    await client.connect();
    await client.query(`UPDATE network_lines SET trace_parent = NULL WHERE user_id = $1`, [untraced.id]);
    await client.end();
    const waking = continueTrace(`00-${'2'.repeat(32)}-${CALLER_SPAN}-01`);
    await runInTrace(waking, () => flow.settle());
    expect(traceOf(callsTo('tmobile', traced.mdn)[0].traceparent)).toBe('1'.repeat(32));
    expect(callsTo('tmobile', untraced.mdn)[0].traceparent).toBeUndefined();
  });
});
