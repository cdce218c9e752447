import { aUser } from '../support/factories';
import { readJson } from '../support/http';
import { scrapeMetrics } from '../support/metrics';
import { startFlow, type FlowHarness } from '../support/flow';

describe('a carrier answering 500s', () => {
  let flow: FlowHarness;

  // The breaker stays open for 3 s, not the harness's 300 ms: the checks below read it
  // open, and on a slow CI machine 300 ms passed between the readiness answer and the
  // metrics scrape, which then found it half-open.
  const RESET_MS = 3_000;

  beforeAll(async () => {
    flow = await startFlow({ CARRIER_BREAKER_RESET_MS: String(RESET_MS) });
  });
  afterAll(() => flow.stop());

  const ready = async () => {
    const response = await fetch(`${flow.running.baseUrl}/health/ready`);
    return { status: response.status, body: await readJson(response) };
  };

  it('opens the breaker, readiness reports it, and the lines recover once the carrier is healthy', async () => {
    flow.simulator.setMode('att', { kind: 'fail', status: 500 });
    const users = [];
    for (let i = 0; i < 4; i++)
      users.push((await flow.admin.post('/v1/users', aUser({ network: 'att' }))).body);
    await flow.settle();

    // Each line tried twice at most (one retry) until the breaker opened and failed fast;
    // the reconciler works on lines side by side, so all of them may get their two tries.
    const calls = flow.simulator.requests.filter((request) => request.party === 'att').length;
    expect(calls).toBeGreaterThanOrEqual(6);
    expect(calls).toBeLessThanOrEqual(8);
    const report = await ready();
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      status: 'degraded',
      details: {
        carriers: { status: 'degraded', open: ['att'], breakers: { att: 'open', verizon: 'closed' } },
      },
    });
    const breakerOpen = async () =>
      (await scrapeMetrics(flow.running.baseUrl)).samples.get(
        'mdn_carrier_breaker_state{party="att",state="open"}',
      );
    expect(await breakerOpen()).toBe(1);
    for (const user of users) {
      expect((await flow.admin.get(`/v1/users/${user.id}/networks`)).body[0].status).toBe('NO_STATUS');
    }

    flow.simulator.setMode('att', { kind: 'healthy' });
    await new Promise((resolve) => setTimeout(resolve, RESET_MS + 50)); // the breaker's reset time
    // The reconciler tries again once the retry delay has passed, with the same keys. A
    // half-open breaker lets one trial call through, so the others wait one more delay.
    for (let retry = 0; retry < 2; retry++) {
      flow.clock.advanceSeconds(31);
      await flow.settle();
    }
    for (const user of users) {
      expect((await flow.admin.get(`/v1/users/${user.id}/networks`)).body[0]).toMatchObject({
        status: 'ENABLED',
        indicator: 'GREEN',
      });
    }
    expect((await ready()).body.details.carriers).toMatchObject({
      status: 'up',
      breakers: { att: 'closed' },
    });
    expect(await breakerOpen()).toBe(0);

    // Every retry reused its line's idempotency key: one key per line, whatever the attempts.
    const keys = new Set(
      flow.simulator.requests
        .filter((request) => request.party === 'att')
        .map((request) => request.idempotencyKey),
    );
    expect(keys.size).toBe(4);
  });

  it('never retries a 4xx and does not count it against the breaker', async () => {
    flow.simulator.setMode('tmobile', { kind: 'fail', status: 422 });
    const before = flow.simulator.requests.filter((request) => request.party === 'tmobile').length;
    for (let i = 0; i < 4; i++) await flow.admin.post('/v1/users', aUser({ network: 'tmobile' }));
    await flow.settle();
    const after = flow.simulator.requests.filter((request) => request.party === 'tmobile').length;
    expect(after - before).toBe(4);
    expect((await ready()).body.details.carriers.breakers.tmobile).toBe('closed');
  });
});
