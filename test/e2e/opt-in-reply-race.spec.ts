import { acrossOrganizations } from '../../src/database/data-scope';
import { FlowRepository } from '../../src/provisioning-flow/flow.repository';
import { Reconciler } from '../../src/provisioning-flow/reconciler';
import { eventually } from '../support/eventually';
import { aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';

/**
 * A subscriber's reply can reach the service before the gateway's answer to the text it
 * answers (the text is recorded before it is sent, and marked sent after). Here the
 * gateway is slow on purpose, and the reply comes while the text is still in flight.
 */
describe('an opt-in reply that overtakes its text', () => {
  let flow: FlowHarness;

  beforeAll(async () => {
    flow = await startFlow({ CARRIER_TIMEOUT_MS: '10000' });
  });
  afterAll(() => flow.stop());
  afterEach(() => flow.simulator.setMode('sms', { kind: 'healthy' }));

  const history = async (id: string) =>
    (
      (await flow.admin.get(`/v1/users/${id}/networks/verizon/history`)).body as {
        to: string;
        source: string;
      }[]
    )
      .reverse()
      .map((step) => `${step.to}:${step.source}`);
  const status = async (id: string) => (await flow.admin.get(`/v1/users/${id}/networks`)).body[0].status;
  const smsRequests = () => flow.simulator.requests.filter((request) => request.party === 'sms').length;

  /** Starts a reconcile pass that sends a text through a slow gateway; resolves once the text is in flight. */
  async function textInFlight(userId: string): Promise<{ pass: Promise<number>; before: number }> {
    const before = smsRequests();
    // Slow enough that a reply (stored, then applied by an inbox pass) lands first on a loaded machine.
    flow.simulator.setMode('sms', { kind: 'slow', delayMs: 3_000 });
    const pass = flow.running.app.get(Reconciler).run();
    const lines = flow.running.app.get(FlowRepository);
    await eventually(async () => {
      const line = await acrossOrganizations('test', () => lines.findOfUser(userId, 'verizon'));
      return line?.inFlight.kind === 'OPT_IN_TEXT' || undefined;
    });
    return { pass, before };
  }

  const inFlightOf = async (userId: string) => {
    const lines = flow.running.app.get(FlowRepository);
    return (await acrossOrganizations('test', () => lines.findOfUser(userId, 'verizon')))?.inFlight;
  };

  const reply = (mdn: string, text: string) =>
    flow.deliver('sms', {
      messageId: `m-${Math.random()}`,
      from: mdn,
      text,
      receivedAt: flow.clock.now().toISOString(),
    });

  async function registerVerizon(): Promise<{ id: string; mdn: string }> {
    const response = await flow.admin.post('/v1/users', aUser({ network: 'verizon' }));
    expect(response.status).toBe(201);
    return response.body;
  }

  it('YES to the first text, before it is recorded as sent, is taken: the line is enabled', async () => {
    const user = await registerVerizon();
    // One pass begins the round (New Request) and sends the first text, slowly.
    const { pass, before } = await textInFlight(user.id);
    const answer = await reply(user.mdn, 'YES');
    expect(answer.status).toBe(202);
    expect(smsRequests()).toBe(before); // the gateway has not answered yet: the race happened
    expect(await status(user.id)).toBe('OPT_IN_RESPONSE_RECEIVED');

    await pass;
    await flow.settle();
    expect(await status(user.id)).toBe('ENABLED');
    expect(flow.simulator.textsTo(user.mdn)).toHaveLength(1);
    expect(await history(user.id)).toEqual([
      'NEW_REQUEST:API',
      'OPT_IN_SENT:OPT_IN_SEND',
      'OPT_IN_RESPONSE_RECEIVED:OPT_IN_REPLY',
      'PENDING_PROVISIONING:SYSTEM',
      'ENABLED:CARRIER_CALLBACK',
    ]);
  });

  it('YES to the first text while a resend is in flight: the resend is dropped and the line is enabled', async () => {
    const user = await registerVerizon();
    await flow.settle();
    expect(await status(user.id)).toBe('OPT_IN_SENT');
    flow.clock.advanceDays(1);

    const { pass } = await textInFlight(user.id);
    expect((await reply(user.mdn, 'YES')).status).toBe(202);
    await pass;
    await flow.settle();

    expect(await status(user.id)).toBe('ENABLED');
    expect(await inFlightOf(user.id)).toEqual({
      kind: 'NONE',
    });
  });

  it('STOP while a resend is in flight: the line is disabled and nothing is sent again', async () => {
    const user = await registerVerizon();
    await flow.settle();
    flow.clock.advanceDays(1);

    const { pass } = await textInFlight(user.id);
    expect((await reply(user.mdn, 'STOP')).status).toBe(202);
    await pass;
    await flow.settle();
    const sent = smsRequests();
    flow.clock.advanceDays(1);
    await flow.settle();

    expect(await status(user.id)).toBe('DISABLED');
    expect(smsRequests()).toBe(sent);
    expect(await inFlightOf(user.id)).toEqual({
      kind: 'NONE',
    });
  });
});
