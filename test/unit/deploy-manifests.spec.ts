import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATH_METADATA } from '@nestjs/common/constants';
import { parse, parseAllDocuments } from 'yaml';
import { configSchema } from '../../src/config/config.schema';
import { HealthController } from '../../src/health/health.controller';
import { MetricsController } from '../../src/metrics/metrics.controller';

const root = join(__dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const knownVariables = new Set(Object.keys(configSchema.shape));

/** A route as the service declares it: its controller's path and the handler's. */
const route = (controller: object, handler?: (...args: never[]) => unknown) =>
  `/${[Reflect.getMetadata(PATH_METADATA, controller), handler && Reflect.getMetadata(PATH_METADATA, handler)]
    .filter((part) => part && part !== '/')
    .join('/')}`;
const METRICS = route(MetricsController);
const LIVE = route(HealthController, HealthController.prototype.live);
const READY = route(HealthController, HealthController.prototype.ready);
/** host:port pairs' ports in a URL or broker list. */
const portOf = (address: string) => Number(/:(\d+)(?:\/|$|,)/.exec(address)![1]);

describe('k8s manifests', () => {
  const deployment = parse(read('k8s/deployment.yaml'));
  const container = deployment.spec.template.spec.containers[0];
  const podLabels = deployment.spec.template.metadata.labels;
  const service = parse(read('k8s/service.yaml'));
  const httpPort = container.ports.find((port: { name: string }) => port.name === 'http');

  it('probe the service health routes on its HTTP port', () => {
    expect([LIVE, READY]).toEqual(['/health/live', '/health/ready']);
    expect(container.livenessProbe.httpGet).toEqual({ path: LIVE, port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: READY, port: 'http' });
    expect(httpPort.containerPort).toBe(3000);
  });

  it('let Prometheus scrape /metrics on the same port', () => {
    expect(deployment.spec.template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/path': METRICS,
      'prometheus.io/port': String(httpPort.containerPort),
    });
  });

  it('offer a ServiceMonitor instead, on the Service that fronts the pods', () => {
    const monitor = parse(read('k8s/servicemonitor.yaml'));
    expect(service.spec.selector).toEqual(podLabels);
    expect(monitor.spec.selector.matchLabels).toEqual(service.metadata.labels);
    const servicePort = service.spec.ports.find((port: { name: string }) => port.name === 'http');
    expect(servicePort.targetPort).toBe('http');
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: METRICS })]);
    // The job label becomes the Service's name: what the alert rules and the dashboard select.
    expect(read('deploy/prometheus/alerts.yaml')).toContain(`job="${service.metadata.name}"`);
  });

  it('let voluntary disruptions take one replica at a time', () => {
    const budget = parse(read('k8s/pdb.yaml'));
    expect(budget.kind).toBe('PodDisruptionBudget');
    expect(budget.spec.selector.matchLabels).toEqual(podLabels);
    expect(budget.spec.maxUnavailable).toBeLessThan(deployment.spec.replicas);
  });

  it('let in the portal and Prometheus, and out only DNS, PostgreSQL, Kafka and HTTPS', () => {
    const policy = parse(read('k8s/networkpolicy.yaml'));
    expect(policy.spec.podSelector.matchLabels).toEqual(podLabels);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const namespaces = (rules: { from?: unknown[]; to?: unknown[] }[]) =>
      rules.flatMap((rule) =>
        (rule.from ?? rule.to ?? []).map(
          (peer: any) => peer.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] ?? 'ipBlock',
        ),
      );
    expect(namespaces(policy.spec.ingress)).toEqual(['portal', 'ingress-nginx', 'monitoring']);
    for (const rule of policy.spec.ingress) expect(rule.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    expect(namespaces(policy.spec.egress)).toEqual(['kube-system', 'database', 'kafka', 'ipBlock']);
    const egressPorts = policy.spec.egress.flatMap((rule: any) => rule.ports.map((port: any) => port.port));
    // In step with where the service is pointed (compose spells the same variables out).
    const compose = parse(read('docker/compose.yaml')).services.service.environment;
    expect(egressPorts).toEqual([53, 53, portOf(compose.DATABASE_URL), portOf(compose.KAFKA_BROKERS), 443]);
  });

  it('request the resources measured, with the heap capped below the memory limit', () => {
    const { requests, limits } = container.resources;
    expect(requests).toEqual({ cpu: '250m', memory: '384Mi' });
    expect(limits).toEqual({ memory: '512Mi' });
    const nodeOptions = container.env.find((variable: { name: string }) => variable.name === 'NODE_OPTIONS');
    const heapMiB = Number(/--max-old-space-size=(\d+)/.exec(nodeOptions.value)![1]);
    expect(heapMiB).toBeLessThan(384);
  });

  it('give the image the memory settings the deployment measured', () => {
    const MEMORY_SETTINGS = ['NODE_OPTIONS', 'MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_'];
    const dockerfile = read('docker/Dockerfile');
    for (const { name, value } of container.env as { name: string; value: string }[]) {
      if (!MEMORY_SETTINGS.includes(name)) continue;
      const set = new RegExp(`${name}=("([^"]*)"|(\\S+))`).exec(dockerfile);
      expect([name, set?.[2] ?? set?.[3]]).toEqual([name, value]);
    }
    expect(container.env.map((variable: { name: string }) => variable.name)).toEqual(
      expect.arrayContaining(MEMORY_SETTINGS),
    );
  });

  it('leave more grace than the drain timeout', () => {
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(10);
  });

  it('configure only variables the service reads', () => {
    const configMap = parse(read('k8s/configmap.yaml'));
    for (const name of Object.keys(configMap.data)) expect(knownVariables).toContain(name);
  });

  it('all parse as YAML documents', () => {
    for (const file of [
      'k8s/deployment.yaml',
      'k8s/service.yaml',
      'k8s/configmap.yaml',
      'k8s/pdb.yaml',
      'k8s/networkpolicy.yaml',
      'k8s/servicemonitor.yaml',
      'docker/compose.yaml',
    ]) {
      for (const document of parseAllDocuments(read(file))) expect(document.errors).toEqual([]);
    }
  });
});

describe('docker', () => {
  it('compose sets only variables the service reads', () => {
    const compose = parse(read('docker/compose.yaml'));
    for (const name of Object.keys(compose.services.service.environment))
      expect(knownVariables).toContain(name);
  });

  it('the image runs the built entry point as a non-root user', () => {
    const dockerfile = read('docker/Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:24/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain('CMD ["node", "dist/src/main.js"]');
  });

  it('copies the dependency patches in before installing', () => {
    const dockerfile = read('docker/Dockerfile');
    expect(dockerfile.indexOf('COPY patches ./patches')).toBeGreaterThan(-1);
    expect(dockerfile.indexOf('COPY patches ./patches')).toBeLessThan(dockerfile.indexOf('RUN npm install'));
  });
});
