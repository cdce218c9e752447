import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { NETWORK_KEYS } from '../../src/lines/domain/networks';
import {
  BREAKER_STATES,
  CALL_OUTCOMES,
  CONSENT_CHANGES,
  Metrics,
  REPLY_CLASSES,
  STEP_OUTCOMES,
  TEXT_KINDS,
  WEBHOOK_OUTCOMES,
} from '../../src/metrics/metrics.service';

const root = join(__dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (
  parse(read('deploy/prometheus/alerts.yaml')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((group) => group.rules);
const alerts = rules.filter((rule) => rule.alert);
const ruleTests = read('deploy/prometheus/alerts.test.yaml');
const readme = read('README.md');
const dashboard = JSON.parse(read('deploy/grafana/mdn-provisioning.json')) as {
  panels: { targets?: { expr: string }[] }[];
};
const dashboardQueries = dashboard.panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => target.expr),
);

/** Every sample name the registry can print: a histogram's _bucket, _sum and _count too. */
async function exposedNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await new Metrics().registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}
/** Metric names in PromQL; a recording rule's name (`route:mdn_http_5xx:ratio_rate5m`) is not one. */
const metricNames = (expr: string) =>
  [...expr.matchAll(/(?<![\w:])(?:mdn|http|process|nodejs)_[a-z0-9_]+(?![\w:])/g)].map(([name]) => name);

/** The values each label may take in queries: the lists the code counts with. */
const LABEL_VALUES: Record<string, readonly string[]> = {
  outcome: [...CALL_OUTCOMES, ...WEBHOOK_OUTCOMES, ...STEP_OUTCOMES],
  state: BREAKER_STATES,
  // Texts by kind, and the reconciler's steps by kind (Step['kind'] in next-step.ts, and look_up).
  kind: [
    ...TEXT_KINDS,
    ...['wait', 'settle', 'begin_round', 'text_subscriber', 'refuse_number', 'request_carrier'],
    ...['send_again', 'give_up_waiting', 'look_up'],
  ],
  change: CONSENT_CHANGES,
  classification: REPLY_CLASSES,
  source: [...NETWORK_KEYS, 'sms'],
};

describe('alert rules (deploy/prometheus/alerts.yaml)', () => {
  it('cover what operations asked for', () => {
    expect(alerts.map((rule) => rule.alert).sort()).toEqual([
      'MdnCarrierBreakerOpen',
      'MdnHttpErrorBudgetBurnFast',
      'MdnHttpErrorBudgetBurnSlow',
      'MdnOptInNoConsent',
      'MdnOutboxBacklogOld',
      'MdnReconcilerLagging',
      'MdnWebhookInboxBacklogOld',
      'MdnWebhookSignatureRefusals',
    ]);
  });

  it.each(alerts.map((rule) => [rule.alert!, rule] as const))(
    '%s has a severity, a runbook in the README and a promtool test',
    (name, rule) => {
      expect(['page', 'warning']).toContain(rule.labels?.severity);
      expect(rule.annotations?.runbook).toContain(name);
      expect(readme).toContain(`**${name}**`);
      expect(ruleTests).toContain(`alertname: ${name}\n`);
    },
  );

  it('use only metrics the service defines', async () => {
    const names = await exposedNames();
    const used = [...new Set(rules.flatMap((rule) => metricNames(rule.expr)))];
    expect(used.filter((name) => !names.has(name))).toEqual([]);
    expect(used.length).toBeGreaterThan(5);
  });

  it('and the dashboard too (the e2e test checks they show after a real flow)', async () => {
    const names = await exposedNames();
    const used = [...new Set(dashboardQueries.flatMap(metricNames))];
    expect(used.filter((name) => !names.has(name))).toEqual([]);
  });

  it('match label values the code uses', () => {
    for (const expr of [...rules.map((rule) => rule.expr), ...dashboardQueries]) {
      for (const [, label, operator, value] of expr.matchAll(/\b(\w+)\s*(=~|!=|=)\s*"([^"]*)"/g)) {
        const known = LABEL_VALUES[label];
        if (!known) continue;
        const values = operator === '=~' ? value.split('|') : [value];
        for (const one of values) expect([label, one, known.includes(one)]).toEqual([label, one, true]);
      }
    }
  });
});
