import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/** The event contracts served beside the OpenAPI page: the AsyncAPI document and the proto it names. */
export const EVENT_CONTRACTS = {
  '/docs/asyncapi.yaml': { file: 'docs/asyncapi.yaml', type: 'application/yaml' },
  '/docs/events.proto': { file: 'proto/mdn/provisioning/v1/events.proto', type: 'text/plain; charset=utf-8' },
} as const;

/** The repository (or image) root: the nearest folder up from here holding docs/asyncapi.yaml. */
function root(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'docs/asyncapi.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('docs/asyncapi.yaml not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

export function mountEventContracts(fastify: FastifyInstance): void {
  const base = root();
  for (const [url, { file, type }] of Object.entries(EVENT_CONTRACTS)) {
    const body = readFileSync(join(base, file), 'utf8');
    fastify.get(url, (_request, reply) => reply.type(type).send(body));
  }
}
