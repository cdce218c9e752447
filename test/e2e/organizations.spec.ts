import { randomUUID } from 'node:crypto';
import type { RouteOptions } from 'fastify';
import { Client } from 'pg';
import { createApp, shutdown } from '../../src/app';
import { testConfig } from '../support/app';
import { createPostgresDatabase, type TestDatabase } from '../support/databases';
import { aUser } from '../support/factories';

/**
 * Three organisations, a principal of each role in each, and an operator. Every route the
 * service registers (any added later included) is sent by each principal of organisation
 * A naming organisation B's user, and each answer must be the one a user that does not
 * exist gets; lists, counts and feeds must hold nothing of B's; B's rows must not change.
 */
const ORGS = ['org-a', 'org-b', 'org-c'] as const;
const ROLES = ['owner', 'admin', 'member'] as const;
const PUBLIC = [/^\/health\//, /^\/metrics$/, /^\/docs(\/|$)/, /^\/v1\/webhooks\//];
const OPERATOR_TOKEN = 'operator-token-0123456789abcdef';
const tokenOf = (org: string, role: string) => `${role}-${org}-token-0123456789abcdef`;

/** Plausible bodies, so an answer is about the id and not about a malformed body. */
const BODIES: Record<string, unknown> = {
  'PATCH /v1/users/:id': { firstName: 'Mallory' },
  'POST /v1/users/:id/networks/:network/status': { status: 'DISABLED' },
  'POST /v1/users/:id/networks/:network/sightings': {},
};

interface Route {
  method: string;
  url: string;
}

describe('organisations: no principal sees or touches another organisation', () => {
  let database: TestDatabase;
  let baseUrl: string;
  let stop: () => Promise<void>;
  const routes: Route[] = [];
  /** Per organisation: its users' ids, usernames and numbers. */
  const seeded: Record<string, { ids: string[]; secrets: string[] }> = {};

  const call = async (token: string, method: string, path: string, body?: unknown, headers = {}) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };

  beforeAll(async () => {
    database = await createPostgresDatabase();
    const tokens = [
      `operator:${OPERATOR_TOKEN}`,
      ...ORGS.flatMap((org) => ROLES.map((role) => `${role}@${org}:${tokenOf(org, role)}`)),
    ];
    const app = await createApp(testConfig(database, { ADMIN_API_TOKENS: tokens.join(',') }));
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRoute', (route: RouteOptions) => {
        for (const method of [route.method].flat()) routes.push({ method, url: route.url ?? '' });
      });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    stop = async () => {
      await shutdown(app);
      await database.drop();
    };
    for (const org of ORGS) {
      const made = await call(OPERATOR_TOKEN, 'POST', '/v1/organizations', { name: `Org ${org}`, slug: org });
      expect(made.status).toBe(201);
      seeded[org] = { ids: [], secrets: [] };
      for (const network of ['att', 'tmobile']) {
        const user = aUser({ network });
        const created = await call(tokenOf(org, 'owner'), 'POST', '/v1/users', user);
        expect(created.status).toBe(201);
        const body = JSON.parse(created.text) as { id: string; mdn: string };
        const moved = await call(
          tokenOf(org, 'owner'),
          'POST',
          `/v1/users/${body.id}/networks/${network}/status`,
          {
            status: 'ENABLED',
          },
        );
        expect(moved.status).toBe(200);
        seeded[org].ids.push(body.id);
        seeded[org].secrets.push(body.id, user.username, body.mdn);
      }
    }
  });
  afterAll(() => stop());

  const guarded = () => routes.filter((route) => !PUBLIC.some((pattern) => pattern.test(route.url)));

  it('walks every guarded route as each role of A, aimed at B: answers as for no such user, leaks and changes nothing of B', async () => {
    const byId = guarded().filter((route) => route.url.includes(':id'));
    expect(byId.map((route) => `${route.method} ${route.url}`)).toEqual(
      expect.arrayContaining(['GET /v1/users/:id', 'PATCH /v1/users/:id', 'DELETE /v1/users/:id']),
    );
    const before = await digestOf(database, 'org-b');
    const failures: string[] = [];
    const stranger = seeded['org-b'].ids[0];
    const nobody = randomUUID();
    // SCIM routes take an organisation's SCIM token (admin tokens get 401 there): A's.
    const scimA = (await call(tokenOf('org-a', 'owner'), 'POST', '/v1/organization/scim-token')).text;
    const scimToken = (JSON.parse(scimA) as { token: string }).token;
    for (const route of guarded()) {
      const key = `${route.method} ${route.url}`;
      const pathFor = (id: string) => route.url.replace(':id', id).replace(':network', 'att');
      const principals = route.url.startsWith('/scim/') ? (['scim'] as const) : ROLES;
      for (const role of principals) {
        const token = role === 'scim' ? scimToken : tokenOf('org-a', role);
        const body = ['POST', 'PATCH', 'PUT'].includes(route.method) ? (BODIES[key] ?? {}) : undefined;
        const foreign = await call(token, route.method, pathFor(stranger), body);
        for (const secret of seeded['org-b'].secrets.slice(1)) {
          if (foreign.text.includes(secret)) failures.push(`${key} as ${role} shows B's ${secret}`);
        }
        if (route.url.includes(':id')) {
          const missing = await call(token, route.method, pathFor(nobody), body);
          const same =
            foreign.status === missing.status && foreign.text.replaceAll(stranger, nobody) === missing.text;
          if (!same)
            failures.push(`${key} as ${role}: ${foreign.status} ${foreign.text} vs ${missing.status}`);
          if (![400, 403, 404].includes(foreign.status))
            failures.push(`${key} as ${role}: ${foreign.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await digestOf(database, 'org-b')).toEqual(before);
  });

  it('lists, counts and feeds hold an organisation its own rows only', async () => {
    for (const org of ORGS) {
      const token = tokenOf(org, 'member');
      const others = ORGS.filter((other) => other !== org).flatMap((other) => seeded[other].secrets);
      for (const path of ['/v1/users', '/v1/summary', '/v1/events?limit=1000', '/v1/organization']) {
        const answer = await call(token, 'GET', path);
        expect(answer.status).toBe(200);
        expect(others.filter((secret) => answer.text.includes(secret))).toEqual([]);
      }
      // The export reads its own pages (no model objects): they too hold this organisation's
      // users, all of them.
      const exported = await call(tokenOf(org, 'owner'), 'GET', '/v1/users/export?format=csv');
      expect(exported.status).toBe(200);
      expect(others.filter((secret) => exported.text.includes(secret))).toEqual([]);
      expect(exported.text.trim().split('\r\n')).toHaveLength(1 + seeded[org].ids.length);
      const listed = JSON.parse((await call(token, 'GET', '/v1/users')).text) as { items: { id: string }[] };
      expect(listed.items.map((user) => user.id).sort()).toEqual([...seeded[org].ids].sort());
      const summary = JSON.parse((await call(token, 'GET', '/v1/summary')).text) as Record<string, unknown>;
      expect(summary).toEqual({
        att: expect.objectContaining({ GREEN: 1 }),
        tmobile: expect.objectContaining({ GREEN: 1 }),
      });
      const events = JSON.parse((await call(token, 'GET', '/v1/events?limit=1000')).text) as {
        items: { organizationId: string }[];
      };
      const own = JSON.parse((await call(token, 'GET', '/v1/organization')).text) as {
        id: string;
        slug: string;
      };
      expect(own.slug).toBe(org);
      expect(events.items.length).toBeGreaterThan(0);
      expect(new Set(events.items.map((event) => event.organizationId))).toEqual(new Set([own.id]));
    }
  });

  it('a token naming another organisation in X-Organization is refused alike, whether it exists or not', async () => {
    const named = await call(tokenOf('org-a', 'owner'), 'GET', '/v1/users', undefined, {
      'x-organization': 'org-b',
    });
    const invented = await call(tokenOf('org-a', 'owner'), 'GET', '/v1/users', undefined, {
      'x-organization': 'no-such-org',
    });
    expect(named.status).toBe(403);
    expect(invented).toEqual(named);
    const own = await call(tokenOf('org-a', 'owner'), 'GET', '/v1/users', undefined, {
      'x-organization': 'org-a',
    });
    expect(own.status).toBe(200);
  });

  it('organisations are an operator’s alone to list and create', async () => {
    for (const role of ROLES) {
      expect((await call(tokenOf('org-a', role), 'GET', '/v1/organizations')).status).toBe(403);
      expect(
        (await call(tokenOf('org-a', role), 'POST', '/v1/organizations', { name: 'X', slug: 'x' })).status,
      ).toBe(403);
    }
    const listed = JSON.parse((await call(OPERATOR_TOKEN, 'GET', '/v1/organizations')).text) as {
      items: { slug: string }[];
    };
    expect(listed.items.map((org) => org.slug)).toEqual(['default', 'org-a', 'org-b', 'org-c']);
    const again = await call(OPERATOR_TOKEN, 'POST', '/v1/organizations', { name: 'Again', slug: 'org-a' });
    expect(again.status).toBe(409);
  });

  it('an operator acts only in the organisation it names', async () => {
    const unnamed = await call(OPERATOR_TOKEN, 'GET', '/v1/users');
    expect(unnamed.status).toBe(400);
    expect(unnamed.text).toContain('x-organization');
    const unknown = await call(OPERATOR_TOKEN, 'GET', '/v1/users', undefined, { 'x-organization': 'nope' });
    expect(unknown.status).toBe(404);
    const inB = await call(OPERATOR_TOKEN, 'GET', '/v1/users', undefined, { 'x-organization': 'org-b' });
    expect(inB.status).toBe(200);
    const ids = (JSON.parse(inB.text) as { items: { id: string }[] }).items.map((user) => user.id);
    expect(ids.sort()).toEqual([...seeded['org-b'].ids].sort());
    // A user registered by the operator in C belongs to C, and to C alone.
    const made = await call(OPERATOR_TOKEN, 'POST', '/v1/users', aUser(), { 'x-organization': 'org-c' });
    expect(made.status).toBe(201);
    const id = (JSON.parse(made.text) as { id: string }).id;
    expect((await call(tokenOf('org-c', 'member'), 'GET', `/v1/users/${id}`)).status).toBe(200);
    expect((await call(tokenOf('org-a', 'member'), 'GET', `/v1/users/${id}`)).status).toBe(404);
  });

  it('usernames are unique per organisation, case-folded; a number is unique across organisations while its user lives', async () => {
    const owner = (org: string) => (method: string, path: string, body?: unknown) =>
      call(tokenOf(org, 'owner'), method, path, body);
    const first = aUser({ username: 'Grace.Hopper' });
    expect((await owner('org-a')('POST', '/v1/users', first)).status).toBe(201);
    const folded = await owner('org-a')('POST', '/v1/users', aUser({ username: 'grace.hopper' }));
    expect(folded.status).toBe(409);
    expect(folded.text).toContain('username');
    const created = await owner('org-b')('POST', '/v1/users', aUser({ username: 'grace.hopper' }));
    expect(created.status).toBe(201);
    const stored = JSON.parse(created.text) as { username: string };
    expect(stored.username).toBe('grace.hopper');

    const taken = await owner('org-b')('POST', '/v1/users', aUser({ mdn: first.mdn }));
    expect(taken.status).toBe(409);
    expect(JSON.parse(taken.text)).toEqual({
      error: 'conflict',
      message: 'A user with this mdn already exists',
      details: [{ field: 'mdn', reason: 'already taken' }],
    });
    // Once its user is deleted, the number (and the username) may be registered again.
    const holder = JSON.parse((await owner('org-a')('GET', '/v1/users?q=Grace.Hopper')).text) as {
      items: { id: string }[];
    };
    expect((await owner('org-a')('DELETE', `/v1/users/${holder.items[0].id}`)).status).toBe(200);
    expect((await owner('org-b')('POST', '/v1/users', aUser({ mdn: first.mdn }))).status).toBe(201);
    expect((await owner('org-a')('POST', '/v1/users', aUser({ username: 'GRACE.HOPPER' }))).status).toBe(201);
  });
});

/** A digest of one organisation's rows in every table that holds an organisation's data. */
async function digestOf(database: TestDatabase, slug: string): Promise<Record<string, unknown>> {
  if (database.config.kind !== 'postgres') throw new Error('digestOf reads PostgreSQL');
  const client = new Client({ connectionString: database.config.url });
  await client.connect();
  try {
    const out: Record<string, unknown> = {};
    for (const table of ['users', 'network_lines', 'status_history', 'outbox_events', 'idempotency_keys']) {
      const { rows } = await client.query(
        `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest, count(*)::int AS n
         FROM ${table} t WHERE organization_id = (SELECT id FROM organizations WHERE slug = $1)`,
        [slug],
      );
      out[table] = rows[0];
    }
    return out;
  } finally {
    await client.end();
  }
}
