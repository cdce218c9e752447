import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { configSchema } from '../../src/config/config.schema';

const root = join(__dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const knownVariables = new Set(Object.keys(configSchema.shape));

describe('k8s manifests', () => {
  const deployment = parse(read('k8s/deployment.yaml'));
  const container = deployment.spec.template.spec.containers[0];

  it('probe the service health routes on its HTTP port', () => {
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.ports[0].containerPort).toBe(3000);
  });

  it('let Prometheus scrape /metrics on the same port', () => {
    expect(deployment.spec.template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/path': '/metrics',
      'prometheus.io/port': String(container.ports[0].containerPort),
    });
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
