import { LineGaugesJob } from '../../src/lines/metrics/line-gauges.job';
import { aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';
import { apiClient } from '../support/http';
import { scrapeMetrics } from '../support/metrics';
import { signedPost } from '../support/signed';
import { WebhookInboxJob } from '../../src/webhooks/inbox/webhook-inbox.job';

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
    const reply = await flow.deliver('sms', {
      messageId: 'm-metrics-1',
      from: registered.body.mdn,
      text: 'YES',
      receivedAt: flow.clock.now().toISOString(),
    });
    expect(reply.status).toBe(202);
    await flow.settle();
    expect((await apiClient(flow.running.baseUrl, null).get('/v1/users')).status).toBe(401);
    expect((await fetch(`${flow.running.baseUrl}/nowhere`)).status).toBe(404);

    const scrape = await scrapeMetrics(flow.running.baseUrl);
    expect(scrape.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const count = (labels: Record<string, string>) =>
      scrape.sum('http_request_duration_seconds_count', labels);
    expect(count({ method: 'POST', route: '/v1/users', status_code: '201' })).toBe(1);
    expect(count({ method: 'GET', route: '/v1/users', status_code: '401' })).toBe(1);
    expect(count({ method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);

    // The funnel: one first text, a YES, consent given and confirmed; the other kinds at zero.
    expect(scrape.sum('mdn_opt_in_texts_sent_total', { kind: 'first' })).toBe(1);
    expect(scrape.sum('mdn_opt_in_texts_sent_total', { kind: 'confirmation' })).toBe(1);
    expect(scrape.sum('mdn_opt_in_texts_sent_total', { kind: 'resend' })).toBe(0);
    expect(scrape.sum('mdn_opt_in_texts_sent_total', { kind: 'reminder' })).toBe(0);
    expect(scrape.sum('mdn_opt_in_replies_total', { classification: 'yes' })).toBe(1);
    expect(scrape.sum('mdn_opt_in_replies_total', { classification: 'invalid' })).toBe(0);
    expect(scrape.sum('mdn_opt_in_consent_changes_total', { change: 'given' })).toBe(1);
    expect(scrape.sum('mdn_opt_in_consent_changes_total', { change: 'revoked' })).toBe(0);

    // Outbound calls: the text, its confirmation and Verizon's request; all answered, nothing retried.
    const calls = (party: string, outcome?: string) =>
      scrape.sum('mdn_carrier_call_duration_seconds_count', outcome ? { party, outcome } : { party });
    expect(calls('sms-gateway', 'ok')).toBe(2);
    expect(calls('verizon', 'ok')).toBe(1);
    expect(calls('att')).toBeUndefined();
    expect(scrape.sum('mdn_carrier_call_retries_total')).toBe(0);
    expect(scrape.sum('mdn_carrier_breaker_state', { party: 'verizon', state: 'closed' })).toBe(1);
    expect(scrape.sum('mdn_carrier_breaker_state', { party: 'verizon', state: 'open' })).toBe(0);
    expect(scrape.sum('mdn_carrier_breaker_state', { party: 'number-lookup', state: 'closed' })).toBe(1);

    // The reconciler: the round's steps, all done; nothing left waiting.
    const steps = (kind: string) => scrape.sum('mdn_reconciler_steps_total', { kind, outcome: 'done' });
    expect(steps('begin_round')).toBe(1);
    expect(steps('text_subscriber')).toBe(1);
    expect(steps('request_carrier')).toBe(1);
    expect(scrape.sum('mdn_reconciler_steps_total', { outcome: 'failed' })).toBeUndefined();
    expect(scrape.sum('mdn_reconciler_waiting_lines')).toBe(0);
    expect(scrape.sum('mdn_reconciler_oldest_waiting_age_seconds')).toBe(0);

    // The simulator's own callbacks: the YES above and Verizon's "enabled".
    expect(scrape.sum('mdn_webhook_deliveries_total', { source: 'sms', outcome: 'accepted' })).toBe(1);
    expect(scrape.sum('mdn_webhook_deliveries_total', { source: 'verizon', outcome: 'accepted' })).toBe(1);
    // No Kafka here: every event written so far is still unsent, and no relay runs.
    expect(scrape.sum('mdn_outbox_unsent_events')).toBeGreaterThanOrEqual(6);
    expect(scrape.sum('mdn_outbox_relay_configured')).toBe(0);
    expect(scrape.sum('mdn_outbox_relay_running')).toBe(0);
    expect(scrape.sum('mdn_outbox_published_events_total')).toBe(0);
    expect(scrape.sum('process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('counts lines per network by status and indicator on the job, not per scrape', async () => {
    await flow.admin.post('/v1/users', aUser({ network: 'att' }));
    await flow.settle();
    const deleted = await flow.admin.post('/v1/users', aUser({ network: 'tmobile' }));
    await flow.settle();
    expect((await flow.admin.delete(`/v1/users/${deleted.body.id}`)).status).toBeLessThan(300);
    // Not counted until the job runs.
    expect((await scrapeMetrics(flow.running.baseUrl)).sum('mdn_lines_by_status')).toBe(undefined);

    await flow.runJob(LineGaugesJob);
    const scrape = await scrapeMetrics(flow.running.baseUrl);
    expect(scrape.sum('mdn_lines_by_status', { network: 'verizon', status: 'ENABLED' })).toBe(1);
    expect(scrape.sum('mdn_lines_by_status', { network: 'verizon', status: 'OPT_IN_SENT' })).toBe(0);
    expect(scrape.sum('mdn_lines_by_status', { network: 'att', status: 'ENABLED' })).toBe(1);
    // Statuses a network cannot have are not series at all; a deleted user's lines are left out.
    expect(scrape.sum('mdn_lines_by_status', { network: 'att', status: 'OPT_IN_SENT' })).toBeUndefined();
    expect(scrape.sum('mdn_lines_by_status', { network: 'tmobile' })).toBe(0);
    expect(scrape.sum('mdn_lines_by_indicator', { network: 'verizon', indicator: 'GREEN' })).toBe(1);
    expect(scrape.sum('mdn_lines_by_indicator', { network: 'att', indicator: 'GREEN' })).toBe(1);
    expect(scrape.sum('mdn_lines_by_indicator', { network: 'verizon', indicator: 'RED' })).toBe(0);
    expect(scrape.sum('mdn_lines_counted_timestamp_seconds')).toBe(flow.clock.now().getTime() / 1000);

    // Time alone turns the lines ORANGE once they are not seen for the window.
    await flow.deliver('att', {
      type: 'activity.seen',
      callbackId: 'seen-metrics-1',
      occurredAt: flow.clock.now().toISOString(),
      mdn: (await flow.admin.get('/v1/users?network=att')).body.items[0].mdn,
    });
    flow.clock.advanceDays(31);
    await flow.runJob(LineGaugesJob);
    const later = await scrapeMetrics(flow.running.baseUrl);
    expect(later.sum('mdn_lines_by_indicator', { network: 'att', indicator: 'ORANGE' })).toBe(1);
    expect(later.sum('mdn_lines_by_indicator', { network: 'att', indicator: 'GREEN' })).toBe(0);
  });

  it('counts webhook deliveries by outcome, refusals included', async () => {
    const att = `${flow.running.baseUrl}/v1/webhooks/carriers/att`;
    const body = (overrides: Record<string, unknown> = {}) =>
      JSON.stringify({
        type: 'provisioning.updated',
        callbackId: `cb-${Math.random()}`,
        occurredAt: new Date().toISOString(),
        mdn: '+12015550100',
        status: 'ENABLED',
        ...overrides,
      });
    const before = await scrapeMetrics(flow.running.baseUrl);
    const now = Math.floor(Date.now() / 1000);
    const statuses = [
      (await signedPost(att, body(), { secret: flow.secrets.verizon })).status,
      (await signedPost(att, body(), { secret: flow.secrets.att, timestamp: now - 600 })).status,
      (await signedPost(att, '{"type":"nonsense"}', { secret: flow.secrets.att })).status,
      (await signedPost(att, body(), { secret: flow.secrets.att })).status,
    ];
    expect(statuses).toEqual([401, 401, 400, 202]);
    const repeated = JSON.stringify({
      messageId: 'm-metrics-dup',
      from: '+12015550100',
      text: 'HELLO',
      receivedAt: new Date().toISOString(),
    });
    const sms = `${flow.running.baseUrl}/v1/webhooks/sms`;
    expect((await signedPost(sms, repeated, { secret: flow.secrets.sms, id: 'dup-1' })).status).toBe(202);
    expect((await signedPost(sms, repeated, { secret: flow.secrets.sms, id: 'dup-1' })).status).toBe(200);
    await flow.runJob(WebhookInboxJob);

    const after = await scrapeMetrics(flow.running.baseUrl);
    const grew = (source: string, outcome: string, name = 'mdn_webhook_deliveries_total') =>
      after.sum(name, { source, outcome })! - before.sum(name, { source, outcome })!;
    expect(grew('att', 'refused_signature')).toBe(1);
    expect(grew('att', 'refused_timestamp')).toBe(1);
    expect(grew('att', 'refused_payload')).toBe(1);
    expect(grew('att', 'accepted')).toBe(1);
    expect(grew('sms', 'accepted')).toBe(1);
    expect(grew('sms', 'duplicate')).toBe(1);
    // Stored, then found to be about no line when applied.
    expect(grew('att', 'not_found', 'mdn_webhook_inbox_applied_total')).toBe(1);
    expect(grew('sms', 'not_found', 'mdn_webhook_inbox_applied_total')).toBe(1);
    expect(after.sum('mdn_webhook_inbox_pending')).toBe(0);
    // Every source's series exist before its first delivery.
    expect(after.sum('mdn_webhook_deliveries_total', { source: 'tmobile', outcome: 'duplicate' })).toBe(0);
    expect(after.sum('mdn_webhook_inbox_applied_total', { source: 'tmobile', outcome: 'failed' })).toBe(0);
  });

  it('needs no token, like the health endpoints', async () => {
    const response = await fetch(`${flow.running.baseUrl}/metrics`);
    expect(response.status).toBe(200);
  });
});
