import { LineGaugesJob } from '../../src/lines/metrics/line-gauges.job';
import { aUser } from '../support/factories';
import { scrapeMetrics, type Scrape } from '../support/metrics';
import { startFlow, type FlowHarness } from '../support/flow';

const RESET_MS = 1_000;

describe('Verizon down, then back: the carrier and reconciler metrics', () => {
  let flow: FlowHarness;

  beforeAll(async () => {
    flow = await startFlow({ CARRIER_BREAKER_RESET_MS: String(RESET_MS) });
  });
  afterAll(() => flow.stop());

  const scrape = () => scrapeMetrics(flow.running.baseUrl);
  const verizonCalls = (metrics: Scrape, outcome: string) =>
    metrics.sum('mdn_carrier_call_duration_seconds_count', { party: 'verizon', outcome }) ?? 0;
  const steps = (metrics: Scrape, outcome: string) =>
    metrics.sum('mdn_reconciler_steps_total', { outcome }) ?? 0;
  const breaker = (metrics: Scrape, state: string) =>
    metrics.sum('mdn_carrier_breaker_state', { party: 'verizon', state });

  it('shows failed calls, retries, an open breaker and lines waiting, and their recovery', async () => {
    // Four subscribers texted and answering YES while Verizon answers 503.
    flow.simulator.setMode('verizon', { kind: 'fail', status: 503 });
    const users: { id: string; mdn: string }[] = [];
    for (let i = 0; i < 4; i++)
      users.push((await flow.admin.post('/v1/users', aUser({ network: 'verizon' }))).body);
    await flow.settle();
    for (const [i, user] of users.entries()) {
      const reply = await flow.deliver('sms', {
        messageId: `outage-yes-${i}`,
        from: user.mdn,
        text: 'YES',
        receivedAt: flow.clock.now().toISOString(),
      });
      expect(reply.status).toBe(202);
    }
    await flow.settle();

    const down = await scrape();
    // The breaker opens once three calls failed; a fourth made after that fails fast.
    expect(verizonCalls(down, 'error')).toBeGreaterThanOrEqual(3);
    expect(verizonCalls(down, 'error') + verizonCalls(down, 'breaker_open')).toBe(4);
    expect(verizonCalls(down, 'ok')).toBe(0);
    // One retry per call (CARRIER_RETRIES=1), each counted.
    expect(down.sum('mdn_carrier_call_retries_total', { party: 'verizon' })).toBe(
      verizonCalls(down, 'error'),
    );
    expect(breaker(down, 'open')).toBe(1);
    expect(breaker(down, 'closed')).toBe(0);
    expect(down.sum('mdn_reconciler_steps_total', { kind: 'request_carrier', outcome: 'deferred' })).toBe(4);
    // Deferred, not waiting: each line is due again after the retry delay (30 s).
    expect(down.sum('mdn_reconciler_waiting_lines')).toBe(0);

    // The retry delay passes with nobody running the reconciler: the lines wait, and age.
    flow.clock.advanceSeconds(40);
    const late = await scrape();
    expect(late.sum('mdn_reconciler_waiting_lines')).toBe(4);
    expect(late.sum('mdn_reconciler_oldest_waiting_age_seconds')).toBe(10);

    // A pass while the breaker is still open fails fast, without calling Verizon.
    const requestsBefore = flow.simulator.requests.filter((request) => request.party === 'verizon').length;
    await flow.settle();
    const fastFail = await scrape();
    expect(verizonCalls(fastFail, 'breaker_open') - verizonCalls(down, 'breaker_open')).toBe(4);
    expect(flow.simulator.requests.filter((request) => request.party === 'verizon').length).toBe(
      requestsBefore,
    );
    expect(fastFail.sum('mdn_reconciler_steps_total', { kind: 'send_again', outcome: 'deferred' })).toBe(4);
    expect(fastFail.sum('mdn_reconciler_waiting_lines')).toBe(0);

    // Verizon is back. After the breaker's reset a trial call closes it; the others follow.
    flow.simulator.setMode('verizon', { kind: 'healthy' });
    await new Promise((resolve) => setTimeout(resolve, RESET_MS + 100));
    expect(breaker(await scrape(), 'half_open')).toBe(1);
    const doneBefore = steps(fastFail, 'done');
    for (let retry = 0; retry < 2; retry++) {
      flow.clock.advanceSeconds(31);
      await flow.settle();
    }
    for (const user of users) {
      const [line] = (await flow.admin.get(`/v1/users/${user.id}/networks`)).body;
      expect(line).toMatchObject({ status: 'ENABLED', indicator: 'GREEN' });
    }

    await flow.runJob(LineGaugesJob);
    const up = await scrape();
    expect(verizonCalls(up, 'ok')).toBe(4);
    expect(breaker(up, 'closed')).toBe(1);
    expect(breaker(up, 'open')).toBe(0);
    expect(up.sum('mdn_reconciler_steps_total', { kind: 'send_again', outcome: 'done' })).toBe(4);
    expect(steps(up, 'done')).toBeGreaterThan(doneBefore);
    expect(up.sum('mdn_reconciler_waiting_lines')).toBe(0);
    expect(up.sum('mdn_reconciler_oldest_waiting_age_seconds')).toBe(0);
    expect(up.sum('mdn_lines_by_status', { network: 'verizon', status: 'ENABLED' })).toBe(4);
    expect(up.sum('mdn_lines_by_indicator', { network: 'verizon', indicator: 'GREEN' })).toBe(4);
    expect(up.sum('mdn_webhook_deliveries_total', { source: 'verizon', outcome: 'accepted' })).toBe(4);
  });
});
