import { aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';

describe('the Verizon opt-in flow through the carrier simulator', () => {
  let flow: FlowHarness;

  beforeAll(async () => {
    flow = await startFlow();
  });
  afterAll(() => flow.stop());

  /** Registers a Verizon user; provisioning starts on registration. */
  const register = async (overrides: Record<string, unknown> = {}) => {
    const response = await flow.admin.post('/v1/users', aUser({ network: 'verizon', ...overrides }));
    expect(response.status).toBe(201);
    await flow.settle();
    return response.body as { id: string; mdn: string };
  };
  const line = async (id: string) => (await flow.admin.get(`/v1/users/${id}/networks`)).body[0];
  const history = async (id: string) =>
    (await flow.admin.get(`/v1/users/${id}/networks/verizon/history`)).body.reverse();
  const reply = async (mdn: string, text: string) => {
    const response = await flow.deliver('sms', {
      messageId: `m-${Math.random()}`,
      from: mdn,
      text,
      receivedAt: flow.clock.now().toISOString(),
    });
    await flow.settle();
    return response;
  };

  it('YES: Opt-in Sent, Opt-in Response Received, Pending provisioning, then Enabled (GREEN)', async () => {
    const user = await register();
    expect(await line(user.id)).toMatchObject({
      status: 'OPT_IN_SENT',
      indicator: 'RED',
      indicatorReason: 'Opt-In Sent',
    });
    expect(flow.simulator.textsTo(user.mdn)).toHaveLength(1);

    expect((await reply(user.mdn, 'YES')).status).toBe(202);
    expect(await line(user.id)).toMatchObject({ status: 'ENABLED', indicator: 'GREEN', reason: null });
    const steps = await history(user.id);
    expect(steps.map((step: { to: string; source: string }) => `${step.to}:${step.source}`)).toEqual([
      'NEW_REQUEST:API',
      'OPT_IN_SENT:OPT_IN_SEND',
      'OPT_IN_RESPONSE_RECEIVED:OPT_IN_REPLY',
      'PENDING_PROVISIONING:SYSTEM',
      'ENABLED:CARRIER_CALLBACK',
    ]);
    expect(steps[1].detail).toBe('opt-in text 1 of 5');
    expect(steps[2].detail).toBe('YES');
    const requests = flow.simulator.requests.filter((request) => request.party === 'verizon');
    expect(requests.at(-1)?.idempotencyKey).toEqual(expect.stringMatching(/:provision:/));
  });

  it('yes with white space around it is accepted', async () => {
    const user = await register();
    await reply(user.mdn, '  yes \n');
    expect((await line(user.id)).status).toBe('ENABLED');
  });

  it('"Yes." is refused (Invalid Opt-in Response, raw text kept), and YES after the next resend enables', async () => {
    const user = await register();
    await reply(user.mdn, 'Yes.');
    expect(await line(user.id)).toMatchObject({
      status: 'INVALID_OPT_IN_RESPONSE',
      indicatorReason: 'Invalid Opt-In Response',
    });
    expect((await history(user.id)).at(-1)).toMatchObject({ to: 'INVALID_OPT_IN_RESPONSE', detail: 'Yes.' });

    flow.clock.advanceDays(1);
    await flow.settle();
    expect(flow.simulator.textsTo(user.mdn)).toHaveLength(2);
    expect(await line(user.id)).toMatchObject({ status: 'OPT_IN_SENT' });

    await reply(user.mdn, 'YES');
    expect((await line(user.id)).status).toBe('ENABLED');
  });

  it('STOP disables the line and no more texts go out', async () => {
    const user = await register();
    await reply(user.mdn, 'stop');
    expect(await line(user.id)).toMatchObject({
      status: 'DISABLED',
      indicator: 'RED',
      indicatorReason: 'Disabled',
    });
    flow.clock.advanceDays(2);
    await flow.settle();
    expect(flow.simulator.textsTo(user.mdn)).toHaveLength(1);
    const resend = await flow.admin.post(`/v1/users/${user.id}/networks/verizon/opt-in/resend`);
    expect(resend.status).toBe(409);
  });

  it('silence: one text a day up to 5, then the line waits for an administrator', async () => {
    const user = await register();
    for (let day = 1; day <= 6; day++) {
      flow.clock.advanceDays(1);
      await flow.settle();
    }
    expect(flow.simulator.textsTo(user.mdn)).toHaveLength(5);
    // Runs within the same interval send nothing more.
    await flow.settle();
    expect(flow.simulator.textsTo(user.mdn)).toHaveLength(5);
    const sends = (await history(user.id)).filter(
      (step: { source: string }) => step.source === 'OPT_IN_SEND',
    );
    expect(sends.map((step: { detail: string }) => step.detail).at(-1)).toBe('opt-in text 5 of 5');

    const resend = await flow.admin.post(`/v1/users/${user.id}/networks/verizon/opt-in/resend`);
    expect(resend.status).toBe(202);
    await flow.settle();
    expect(flow.simulator.textsTo(user.mdn)).toHaveLength(6);
    expect((await history(user.id)).at(-1).detail).toBe('opt-in text 1 of 5');
  });

  it('an MDN that cannot be a mobile number: Unable to Provision, Invalid Number, nobody called', async () => {
    const before = flow.simulator.requests.length;
    const user = await register({ mdn: '+12001234567' });
    expect(await line(user.id)).toMatchObject({
      status: 'UNABLE_TO_PROVISION',
      reason: 'Invalid Number',
      indicator: 'RED',
      indicatorReason: 'Invalid Number',
    });
    expect(flow.simulator.requests.length).toBe(before);
  });

  it('Verizon answers Remove Message Block: Unable to Provision with that reason', async () => {
    const user = await register();
    flow.simulator.script(user.mdn, { kind: 'refuse', reason: 'Remove Message Block' });
    await reply(user.mdn, 'YES');
    expect(await line(user.id)).toMatchObject({
      status: 'UNABLE_TO_PROVISION',
      reason: 'Remove Message Block',
      indicatorReason: 'Remove Message Block',
    });
  });

  it('Verizon refusing the request itself (a 4xx): Unable to Provision, asked once', async () => {
    const user = await register();
    flow.simulator.setMode('verizon', { kind: 'fail', status: 422 });
    try {
      await reply(user.mdn, 'YES');
    } finally {
      flow.simulator.setMode('verizon', { kind: 'healthy' });
    }
    expect(await line(user.id)).toMatchObject({
      status: 'UNABLE_TO_PROVISION',
      reason: 'Carrier refused the request',
    });
    const asked = flow.simulator.requests.filter(
      (request) =>
        request.party === 'verizon' && request.body && (request.body as { mdn?: string }).mdn === user.mdn,
    );
    expect(asked).toHaveLength(1);
  });

  it('a carrier that never answers leaves the line Not Communicating after the timeout', async () => {
    const user = await register();
    flow.simulator.script(user.mdn, { kind: 'silent' });
    await reply(user.mdn, 'YES');
    expect((await line(user.id)).status).toBe('PENDING_PROVISIONING');
    await flow.settle();
    expect((await line(user.id)).status).toBe('PENDING_PROVISIONING');
    flow.clock.advanceDays(1);
    await flow.settle();
    expect(await line(user.id)).toMatchObject({ status: 'NOT_COMMUNICATING', indicator: 'RED' });
  });
});

describe('direct networks through the carrier simulator', () => {
  let flow: FlowHarness;

  beforeAll(async () => {
    flow = await startFlow();
  });
  afterAll(() => flow.stop());

  it('AT&T: the request goes straight to the carrier and its callback enables the line', async () => {
    const user = (await flow.admin.post('/v1/users', aUser({ network: 'att' }))).body;
    await flow.settle();
    const [line] = (await flow.admin.get(`/v1/users/${user.id}/networks`)).body;
    expect(line).toMatchObject({ network: 'att', status: 'ENABLED', indicator: 'GREEN' });
    expect(flow.simulator.textsTo(user.mdn)).toEqual([]);
    const history = (await flow.admin.get(`/v1/users/${user.id}/networks/att/history`)).body;
    expect(history).toEqual([
      expect.objectContaining({ from: 'NO_STATUS', to: 'ENABLED', source: 'CARRIER_CALLBACK' }),
    ]);
  });

  it('without a network, the number lookup says which one', async () => {
    const body = aUser();
    flow.simulator.setLookup(body.mdn, 'tmobile');
    const user = (await flow.admin.post('/v1/users', body)).body;
    await flow.settle();
    const lines = (await flow.admin.get(`/v1/users/${user.id}/networks`)).body;
    expect(lines).toEqual([expect.objectContaining({ network: 'tmobile', status: 'ENABLED' })]);
  });

  it('a port out disables the old line (Ported Out) and provisions the new network', async () => {
    const body = aUser({ network: 'att' });
    const user = (await flow.admin.post('/v1/users', body)).body;
    await flow.settle();
    flow.simulator.setLookup(user.mdn, 'tmobile');
    const response = await flow.deliver('att', {
      type: 'number.ported_out',
      callbackId: `port-${user.id}`,
      occurredAt: flow.clock.now().toISOString(),
      mdn: user.mdn,
    });
    expect(response.status).toBe(202);
    await flow.settle();
    const lines = (await flow.admin.get(`/v1/users/${user.id}/networks`)).body;
    expect(lines).toEqual([
      expect.objectContaining({ network: 'att', status: 'DISABLED', reason: 'Ported Out' }),
      expect.objectContaining({ network: 'tmobile', status: 'ENABLED' }),
    ]);
  });
});
