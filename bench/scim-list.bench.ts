/*
 * The SCIM list a directory sends (Okta's `userName eq` before every create, Entra's
 * `externalId eq`, `emails[value eq]`, and/or, and paging by startIndex/count) over
 * BENCH_USERS users (10,000) of one organisation on PostgreSQL, through the real HTTP
 * stack with the organisation's SCIM token. Baseline in the same run: GET
 * /v1/users?limit=100 (the admin API's first page) for the same organisation.
 */
import { createHash } from 'node:crypto';
import { createApp, shutdown } from '../src/app';
import { loadConfig } from '../src/config/config';
import { newWebhookSecret } from '../src/simulator/carrier-simulator';
import { createBenchDatabase, fmt, idleCarriersEnv, percentile, run, timeRepeated } from './support';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const ROUNDS = 50;
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const SCIM_TOKEN = 'scim_bench-token-0123456789';

const SEED = `
INSERT INTO organizations (id, name, slug) VALUES (gen_random_uuid(), 'Org 1', 'org-1');

INSERT INTO scim_tokens (organization_id, token_hash)
SELECT id, '${createHash('sha256').update(SCIM_TOKEN).digest('hex')}' FROM organizations WHERE slug = 'org-1';

INSERT INTO users (id, organization_id, first_name, last_name, username, mdn, email, external_id, status, registered_at, updated_at)
SELECT gen_random_uuid(), o.id, 'First' || i, 'Last' || i, 'user' || i, '+1201' || lpad(i::text, 7, '0'),
       'user' || i || '@example.com', 'ext-' || i, 'ACTIVE', now(), now()
FROM generate_series(1, ${USERS}) AS i, (SELECT id FROM organizations WHERE slug = 'org-1') AS o;

INSERT INTO network_lines (id, user_id, organization_id, network, status, status_changed_at, last_seen_at, indicator)
SELECT gen_random_uuid(), u.id, u.organization_id, 'att', 'ENABLED', now(), now(), 'GREEN' FROM users u;
ANALYZE;`;

async function main() {
  const database = await createBenchDatabase();
  try {
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      DATABASE_URL: database.url,
      ADMIN_API_TOKENS: `admin@org-1:${ADMIN_TOKEN}`,
      DB_MIGRATE_ON_START: 'true',
      ...idleCarriersEnv(newWebhookSecret()),
    });
    const app = await createApp(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const seeded = Date.now();
    await run(database.url, SEED);
    process.stdout.write(`seeded ${USERS} users in one organization in ${Date.now() - seeded} ms\n`);

    const get = (path: string, token: string, expectTotal?: number) => async () => {
      const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
      const body = (await response.json()) as { totalResults?: number };
      if (expectTotal !== undefined && body.totalResults !== expectTotal) {
        throw new Error(`${path}: ${body.totalResults} results, expected ${expectTotal}`);
      }
    };
    const measure = async (action: () => Promise<void>) => {
      await timeRepeated(5, action); // warm-up
      return timeRepeated(ROUNDS, action);
    };

    const baseline = await measure(get('/v1/users?limit=100', ADMIN_TOKEN));
    const line = (name: string, samples: number[]) =>
      `${name.padEnd(34)} p50 ${fmt(percentile(samples, 50)).padStart(9)}  p99 ${fmt(percentile(samples, 99)).padStart(9)}  ` +
      `ratio p50 vs baseline ${(percentile(samples, 50) / percentile(baseline, 50)).toFixed(2)}x`;
    process.stdout.write(`${line('baseline: GET /v1/users?limit=100', baseline)}\n`);
    const middle = Math.ceil(USERS / 2);
    const filter = (text: string) => `/scim/v2/Users?filter=${encodeURIComponent(text)}`;
    const cases: [string, string, number][] = [
      ['first page (count=100)', '/scim/v2/Users?startIndex=1&count=100', USERS],
      ['last page (count=100)', `/scim/v2/Users?startIndex=${USERS - 99}&count=100`, USERS],
      ['userName eq', filter(`userName eq "USER${middle}"`), 1],
      ['externalId eq', filter(`externalId eq "ext-${middle}"`), 1],
      ['emails[value eq]', filter(`emails[value eq "user${middle}@example.com"]`), 1],
      ['userName eq or externalId eq', filter(`userName eq "user1" or externalId eq "ext-2"`), 2],
      ['no match', filter('userName eq "nobody"'), 0],
    ];
    for (const [name, path, total] of cases) {
      process.stdout.write(`${line(name, await measure(get(path, SCIM_TOKEN, total)))}\n`);
    }
    await shutdown(app);
  } finally {
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
