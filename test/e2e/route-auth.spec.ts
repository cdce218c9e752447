import { request as httpRequest } from 'node:http';
import type { RouteOptions } from 'fastify';
import { createApp, shutdown } from '../../src/app';
import { testConfig } from '../support/app';
import { createPostgresDatabase, type TestDatabase } from '../support/databases';
import { aUser } from '../support/factories';
import { apiClient } from '../support/http';
import { snapshotRows } from '../support/snapshot';
import { TEST_TOKENS } from '../support/tokens';

/**
 * Walks every route the service registers, including any added later, and sends each one
 * as a stranger would: no token, a bad token, a member's token on writes, and the URL
 * spelt the ways routers and guards have disagreed on. Each must be refused and change
 * nothing. Routes that are public on purpose are listed here; any other route that lets
 * a stranger through fails the test.
 */
const PUBLIC = [/^\/health\//, /^\/metrics$/, /^\/docs(\/|$)/, /^\/v1\/webhooks\//, /^\/asyncapi/];
const WRITES = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

interface Route {
  method: string;
  url: string;
}

describe('every route denies by default', () => {
  let database: TestDatabase;
  let baseUrl: string;
  let port: number;
  let stop: () => Promise<void>;
  let userId: string;
  const routes: Route[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    const app = await createApp(testConfig(database));
    // Routes Nest registers from here on (all its controllers); the OpenAPI page is
    // mounted before and is public anyway.
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRoute', (route: RouteOptions) => {
        for (const method of [route.method].flat()) routes.push({ method, url: route.url ?? '' });
      });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    port = typeof address === 'object' && address ? address.port : 0;
    baseUrl = `http://127.0.0.1:${port}`;
    stop = async () => {
      await shutdown(app);
      await database.drop();
    };
    const created = await apiClient(baseUrl, 'owner').post('/v1/users', aUser({ network: 'verizon' }));
    expect(created.status).toBe(201);
    userId = created.body.id;
  });
  afterAll(() => stop());

  const guarded = () => routes.filter((route) => !PUBLIC.some((pattern) => pattern.test(route.url)));
  const pathOf = (route: Route) => route.url.replace(':id', userId).replace(':network', 'verizon');

  it('finds the API routes to walk', () => {
    const urls = guarded().map((route) => `${route.method} ${route.url}`);
    expect(urls).toEqual(expect.arrayContaining(['GET /v1/users', 'POST /v1/users', 'DELETE /v1/users/:id']));
  });

  it('refuses every guarded route, in every spelling, and changes nothing', async () => {
    const before = await snapshotRows(database);
    const failures: string[] = [];
    for (const route of guarded()) {
      const path = pathOf(route);
      const spellings = [
        path,
        path.replace('/v1/', '/%761/'),
        path.replace('/v1/', '/v%31/'),
        path.replace('/v1/', '/%76%31/'),
        `/${path}`,
      ];
      for (const spelling of spellings) {
        const tries: [string, Record<string, string>, number[]][] = [
          ['no token', {}, [401]],
          ['a bad token', { authorization: 'Bearer not-a-token' }, [401]],
          ['an empty bearer', { authorization: 'Bearer ' }, [401]],
        ];
        if (WRITES.has(route.method)) {
          // An admin API token is no SCIM token at all: SCIM routes answer 401, not 403.
          const refusal = route.url.startsWith('/scim/') ? 401 : 403;
          tries.push(['a member token', { authorization: `Bearer ${TEST_TOKENS.member}` }, [refusal]]);
        }
        for (const [label, headers, expected] of tries) {
          const status = await send(port, route.method, spelling, headers);
          if (!expected.includes(status))
            failures.push(`${route.method} ${spelling} with ${label}: ${status}`);
        }
      }
      // The absolute form of the request target (RFC 9112 3.2.2), which proxies send.
      const absolute = await send(port, route.method, `http://127.0.0.1:${port}${path}`, {});
      if (absolute !== 401) failures.push(`${route.method} absolute-form ${path}: ${absolute}`);
      if (route.method === 'GET') {
        const head = await send(port, 'HEAD', path, {});
        if (head !== 401) failures.push(`HEAD ${path}: ${head}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshotRows(database)).toEqual(before);
  });
});

/** Bodies that would change something if a write got through; `{}` for the others. */
function bodyFor(method: string, target: string): string | undefined {
  if (!WRITES.has(method) || method === 'DELETE') return undefined;
  if (method === 'POST' && /users$/.test(target)) return JSON.stringify(aUser({ network: 'att' }));
  if (method === 'PATCH') return JSON.stringify({ firstName: 'Mallory', status: 'SUSPENDED' });
  if (target.endsWith('/status')) return JSON.stringify({ status: 'DISABLED', reason: 'stranger' });
  return '{}';
}

/** A raw HTTP request, so the target is sent exactly as written (fetch would normalise it). */
function send(
  port: number,
  method: string,
  target: string,
  headers: Record<string, string>,
): Promise<number> {
  const body = bodyFor(method, target);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path: target,
        headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', (error) => (error.message === 'socket hang up' ? resolve(0) : reject(error)));
    request.end(body);
  });
}
