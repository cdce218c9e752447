/*
 * GET /v1/users filtered by indicator, one page of 100, and GET /v1/summary, over 100,000
 * users on PostgreSQL spread over BENCH_ORGS organisations (100), through the real HTTP
 * stack, as an admin of the first organisation. Baseline in the same run: the unfiltered
 * first page. BENCH_ORGS=1 puts every user in the one organisation the token acts in: the
 * case row-level security costs most (every row passes its check).
 */
import { createApp, shutdown } from '../src/app';
import { loadConfig } from '../src/config/config';
import { newWebhookSecret } from '../src/simulator/carrier-simulator';
import { createBenchDatabase, fmt, idleCarriersEnv, percentile, run, timeRepeated } from './support';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const ORGS = Number(process.env.BENCH_ORGS ?? 100);
const ROUNDS = 50;
const TOKEN = 'bench-admin-token-0123456789';

const SEED = `
INSERT INTO organizations (id, name, slug)
SELECT gen_random_uuid(), 'Org ' || g, 'org-' || g FROM generate_series(1, ${ORGS}) AS g;

INSERT INTO users (id, organization_id, first_name, last_name, username, mdn, email, status, registered_at, updated_at)
SELECT gen_random_uuid(), o.ids[1 + i % ${ORGS}], 'First' || i, 'Last' || i, 'user' || i, '+1201' || lpad(i::text, 7, '0'),
       'user' || i || '@example.com', 'ACTIVE', now(), now()
FROM generate_series(1, ${USERS}) AS i,
     (SELECT array_agg(id ORDER BY substr(slug, 5)::int) AS ids FROM organizations WHERE slug LIKE 'org-%') AS o;

INSERT INTO network_lines (id, user_id, organization_id, network, status, status_changed_at, last_seen_at, indicator)
SELECT gen_random_uuid(), u.id, u.organization_id, n.network,
       (CASE WHEN random() < 0.7 THEN 'ENABLED' ELSE (ARRAY['NO_STATUS','DISABLED','NOT_COMMUNICATING'])[1 + floor(random() * 3)::int] END)::"NetworkStatus",
       now(), now() - (random() * interval '45 days'), 'NONE'
FROM users u
CROSS JOIN LATERAL (SELECT (ARRAY['verizon','att','tmobile'])[1 + (abs(hashtext(u.username)) % 3)] AS network) n;
ANALYZE;`;

async function main() {
  const database = await createBenchDatabase();
  try {
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      DATABASE_URL: database.url,
      ADMIN_API_TOKENS: `admin@org-1:${TOKEN}`,
      DB_MIGRATE_ON_START: 'true',
      ...idleCarriersEnv(newWebhookSecret()),
    });
    const app = await createApp(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const seeded = Date.now();
    await run(database.url, SEED);
    process.stdout.write(`seeded ${USERS} users over ${ORGS} organizations in ${Date.now() - seeded} ms\n`);

    const get =
      (query: string, path = '/v1/users') =>
      async () => {
        const response = await fetch(`${base}${path}?${query}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        if (response.status !== 200) throw new Error(`${query}: ${response.status}`);
        await response.arrayBuffer();
      };
    const measure = async (query: string, path?: string) => {
      await timeRepeated(5, get(query, path)); // warm-up
      return timeRepeated(ROUNDS, get(query, path));
    };

    const baseline = await measure('limit=100');
    const line = (name: string, samples: number[]) =>
      `${name.padEnd(28)} p50 ${fmt(percentile(samples, 50)).padStart(9)}  p99 ${fmt(percentile(samples, 99)).padStart(9)}  ` +
      `ratio p50 vs baseline ${(percentile(samples, 50) / percentile(baseline, 50)).toFixed(2)}x`;
    process.stdout.write(`${line('baseline: unfiltered page', baseline)}\n`);
    for (const indicator of ['GREEN', 'ORANGE', 'RED', 'NONE']) {
      process.stdout.write(
        `${line(`indicator=${indicator}`, await measure(`indicator=${indicator}&limit=100`))}\n`,
      );
    }
    const queries: [string, string][] = [
      ['network=att&indicator=GREEN', 'network=att&indicator=GREEN&limit=100'],
      // Worst case: a filter nothing matches (a Verizon line is never NONE) scans every user.
      ['no match (full scan)', 'network=verizon&indicator=NONE&limit=100'],
      ['text search q=user99999', 'q=user99999&limit=100'],
    ];
    for (const [name, query] of queries) process.stdout.write(`${line(name, await measure(query))}\n`);
    process.stdout.write(`${line('summary', await measure('', '/v1/summary'))}\n`);
    await shutdown(app);
  } finally {
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
