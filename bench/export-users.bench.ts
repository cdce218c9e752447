/*
 * The export of every user of an organisation (BENCH_USERS, 1,000,000 by default) on
 * PostgreSQL, as CSV and as .xlsx, through the real HTTP stack and the task runner:
 * GET /v1/users/export (a task, EXPORT_SYNC_MAX_ROWS=0), then the result downloaded.
 * Baseline in the same run: the same rows read bare with pg (keyset pages of 1,000, users
 * and lines) and formatted as CSV lines, no service in between. The service runs in its
 * own process (dist/src/main.js, with the memory settings it is deployed with), so its peak
 * memory is its own resident set, sampled from /proc every 50 ms during each export. As
 * deployed, the migrations run before it, in a process of their own.
 */
import type { ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { newWebhookSecret } from '../src/simulator/carrier-simulator';
import {
  createBenchDatabase,
  DEFAULT_ORGANIZATION_SQL,
  DEPLOYED_MEMORY_ENV,
  freePort,
  idleCarriersEnv,
  migrateAsDeployed,
  run,
  SERVICE_MAIN,
  startProcess,
  stopProcess,
  withPeakRss,
} from './support';

const USERS = Number(process.env.BENCH_USERS ?? 1_000_000);
const FORMATS = (process.env.BENCH_FORMATS ?? 'csv,xlsx').split(',') as ('csv' | 'xlsx')[];
const TOKEN = 'bench-admin-token-0123456789';

const SEED = `
INSERT INTO users (id, organization_id, first_name, last_name, username, mdn, email, status, registered_at, updated_at)
SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, ${DEFAULT_ORGANIZATION_SQL}, 'First' || i, 'Last' || i,
       'user' || i, '+1201' || lpad(i::text, 7, '0'), 'user' || i || '@example.com', 'ACTIVE', now(), now()
FROM generate_series(1, ${USERS}) AS i;
INSERT INTO network_lines (id, user_id, organization_id, network, status, status_changed_at, last_seen_at, indicator)
SELECT gen_random_uuid(), u.id, u.organization_id, (ARRAY['verizon','att','tmobile'])[1 + (abs(hashtext(u.username)) % 3)],
       (CASE WHEN random() < 0.7 THEN 'ENABLED' ELSE 'NO_STATUS' END)::"NetworkStatus",
       now(), now() - (random() * interval '45 days'), 'NONE'
FROM users u;
ANALYZE;`;

/** The baseline: the same users and lines read bare, page by page, as CSV text. */
async function bareRead(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  let after = '00000000-0000-0000-0000-000000000000';
  let bytes = 0;
  try {
    for (;;) {
      const { rows } = await client.query<Record<string, string>>(
        // The page's users first, then their lines: joined before the LIMIT, the planner
        // hashed the whole lines table for every page (167 s for 1,000,000 users).
        `WITH page AS (SELECT id, status, first_name, last_name, username, mdn, email, registered_at
                       FROM users WHERE id > $1 ORDER BY id LIMIT 1000)
         SELECT u.id, u.status, u.first_name, u.last_name, u.username, u.mdn, u.email, u.registered_at,
                l.network, l.status AS line_status, l.last_seen_at
         FROM page u LEFT JOIN network_lines l ON l.user_id = u.id ORDER BY u.id`,
        [after],
      );
      if (rows.length === 0) return bytes;
      for (const row of rows) bytes += Object.values(row).map(String).join(',').length + 2;
      after = rows[rows.length - 1].id;
    }
  } finally {
    await client.end();
  }
}

async function main() {
  const database = await createBenchDatabase();
  let service: ChildProcess | undefined;
  try {
    migrateAsDeployed(database.url);
    const port = await freePort();
    service = await startProcess(
      SERVICE_MAIN,
      {
        ...process.env,
        ...DEPLOYED_MEMORY_ENV,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        PORT: `${port}`,
        DATABASE_URL: database.url,
        ADMIN_API_TOKENS: `admin:${TOKEN}`,
        DB_MIGRATE_ON_START: 'false',
        EXPORT_SYNC_MAX_ROWS: '0',
        TASK_POLL_MS: '100',
        ...idleCarriersEnv(newWebhookSecret()),
      },
      port,
    );
    const base = `http://127.0.0.1:${port}`;
    const seeded = Date.now();
    await run(database.url, SEED);
    process.stdout.write(`seeded ${USERS} users in ${Date.now() - seeded} ms\n`);
    const headers = { authorization: `Bearer ${TOKEN}` };

    const baselineStarted = performance.now();
    await bareRead(database.url);
    const baseline = { seconds: (performance.now() - baselineStarted) / 1000 };
    process.stdout.write(`baseline: bare keyset read as CSV text   ${baseline.seconds.toFixed(1)} s\n`);
    for (const format of FORMATS) {
      const started = performance.now();
      let taskSeconds = 0;
      const measured = await withPeakRss(service.pid ?? 0, async () => {
        const accepted = await fetch(`${base}/v1/users/export?format=${format}`, { headers });
        if (accepted.status !== 202) throw new Error(`export answered ${accepted.status}`);
        const { id } = (await accepted.json()) as { id: string };
        for (;;) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          const task = (await (await fetch(`${base}/v1/tasks/${id}`, { headers })).json()) as {
            state: string;
            error: string | null;
            result: { rows: number } | null;
          };
          if (task.state === 'FAILED') throw new Error(`export failed: ${task.error}`);
          if (task.state !== 'SUCCEEDED') continue;
          if (task.result?.rows !== USERS) throw new Error(`exported ${task.result?.rows} of ${USERS}`);
          taskSeconds = (performance.now() - started) / 1000;
          let bytes = 0;
          for await (const chunk of (await fetch(`${base}/v1/tasks/${id}/result`, { headers })).body!) {
            bytes += (chunk as Uint8Array).length;
          }
          return bytes;
        }
      });
      process.stdout.write(
        `export ${format.padEnd(4)} (task + download)        ${measured.seconds.toFixed(1)} s (task ${taskSeconds.toFixed(1)} s, service CPU ${measured.cpuSeconds.toFixed(1)} s)  service RSS ${measured.startMb} MB at start, peak ${measured.peakMb} MB (anonymous ${measured.peakAnonMb} MB)  ` +
          `${(measured.result / 1e6).toFixed(0)} MB file  ratio vs baseline ${(measured.seconds / baseline.seconds).toFixed(2)}x\n`,
      );
    }
  } finally {
    if (service) await stopProcess(service);
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
