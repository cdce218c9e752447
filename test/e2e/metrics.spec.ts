import { aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';
import { apiClient } from '../support/http';
import { scrapeMetrics } from '../support/metrics';

describe('GET /metrics', () => {
  let flow: FlowHarness;

  beforeAll(async () => {
    flow = await startFlow();
  });
  afterAll(() => flow.stop());

  it('counts requests by route and status, the opt-in flow, webhooks, the outbox and the breakers', async () => {
    const registered = await flow.admin.post('/v1/users', aUser({ network: 'verizon' }));
    expect(registered.status).toBe(201);
    await flow.settle();
    const reply = await flow.simulator.deliver('sms', {
      messageId: 'm-metrics-1',
      from: registered.body.mdn,
      text: 'YES',
      receivedAt: flow.clock.now().toISOString(),
    });
    expect(reply.status).toBe(200);
    await flow.settle();
    expect((await apiClient(flow.running.baseUrl, null).get('/v1/users')).status).toBe(401);
    expect((await fetch(`${flow.running.baseUrl}/nowhere`)).status).toBe(404);

    const { contentType, samples } = await scrapeMetrics(flow.running.baseUrl);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const count = (labels: string) => samples.get(`http_request_duration_seconds_count{${labels}}`);
    expect(count('method="POST",route="/v1/users",status_code="201"')).toBe(1);
    expect(count('method="GET",route="/v1/users",status_code="401"')).toBe(1);
    expect(count('method="GET",route="unmatched",status_code="404"')).toBe(1);
    expect(samples.get('mdn_opt_in_texts_sent_total')).toBe(1);
    // The simulator's own callbacks: the YES above and Verizon's "enabled".
    expect(samples.get('mdn_webhook_deliveries_total{source="sms",result="accepted"}')).toBe(1);
    expect(samples.get('mdn_webhook_deliveries_total{source="verizon",result="accepted"}')).toBe(1);
    // No Kafka here: every event written so far is still unsent.
    expect(samples.get('mdn_outbox_unsent_events')).toBeGreaterThanOrEqual(6);
    expect(samples.get('mdn_carrier_breaker_open{party="verizon"}')).toBe(0);
    expect(samples.get('process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('needs no token, like the health endpoints', async () => {
    const response = await fetch(`${flow.running.baseUrl}/metrics`);
    expect(response.status).toBe(200);
  });
});
