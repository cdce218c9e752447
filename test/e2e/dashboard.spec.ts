import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineGaugesJob } from '../../src/lines/metrics/line-gauges.job';
import { aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';
import { scrapeMetrics } from '../support/metrics';

interface Panel {
  type: string;
  title: string;
  id: number;
  targets?: { expr: string }[];
}

const dashboard = JSON.parse(
  readFileSync(join(__dirname, '../../deploy/grafana/mdn-provisioning.json'), 'utf8'),
) as { uid: string; panels: Panel[] };
const queried = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
/** Metric names in PromQL: this service's and the process metrics prom-client adds. */
const metricNames = (expr: string) =>
  [...expr.matchAll(/\b(?:mdn|http|process|nodejs)_[a-z0-9_]+\b/g)].map(([name]) => name);

describe('the Grafana dashboard (deploy/grafana/mdn-provisioning.json)', () => {
  let flow: FlowHarness;

  beforeAll(async () => {
    flow = await startFlow();
  });
  afterAll(() => flow.stop());

  it('has the rows operations asked for, and a query in every panel', () => {
    const rows = dashboard.panels.filter((panel) => panel.type === 'row').map((panel) => panel.title);
    for (const row of ['Lines', 'Opt-in funnel', 'Carriers', 'Reconciler', 'Outbox', 'Webhook', 'HTTP'])
      expect(rows.some((title) => title.startsWith(row))).toBe(true);
    for (const panel of dashboard.panels.filter((panel) => panel.type !== 'row')) {
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(metricNames(target.expr).length).toBeGreaterThan(0);
    }
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('queries only metrics that /metrics shows after a real flow', async () => {
    // A Verizon subscriber through the opt-in to ENABLED, an AT&T line, the line counts.
    const verizon = await flow.admin.post('/v1/users', aUser({ network: 'verizon' }));
    await flow.admin.post('/v1/users', aUser({ network: 'att' }));
    await flow.settle();
    await flow.deliver('sms', {
      messageId: 'dashboard-yes',
      from: verizon.body.mdn,
      text: 'YES',
      receivedAt: flow.clock.now().toISOString(),
    });
    await flow.settle();
    await flow.runJob(LineGaugesJob);

    const { names } = await scrapeMetrics(flow.running.baseUrl);
    const missing = [...new Set(queried.flatMap(metricNames))].filter((name) => !names.has(name));
    expect(missing).toEqual([]);
    expect(queried.length).toBeGreaterThan(25);
  });
});
