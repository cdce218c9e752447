/*
 * An import of BENCH_ROWS users (100,000 by default) from a CSV file, through the real HTTP
 * stack and the task runner: POST /v1/users/import, then the task until it is done. On
 * PostgreSQL and on the embedded database (BENCH_DATABASES=postgres,embedded). Baseline in
 * the same run and database: the same number of users and lines inserted bare, one
 * INSERT ... SELECT each, through the service's own database handle. The import is then
 * measured on a service in its own process (dist/src/main.js, with the heap cap it is
 * deployed with: without one, V8 lets the garbage of a long import pile up to several
 * times what is live before it collects), so its peak memory is its own resident set,
 * sampled from /proc every 50 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, shutdown } from '../src/app';
import { loadConfig } from '../src/config/config';
import { acrossOrganizations } from '../src/database/data-scope';
import { DatabaseService } from '../src/database/database.service';
import { newWebhookSecret } from '../src/simulator/carrier-simulator';
import {
  createBenchDatabase,
  DEFAULT_ORGANIZATION_SQL,
  DEPLOYED_MEMORY_ENV,
  freePort,
  idleCarriersEnv,
  SERVICE_MAIN,
  startProcess,
  stopProcess,
  withPeakRss,
} from './support';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const DATABASES = (process.env.BENCH_DATABASES ?? 'postgres,embedded').split(',');
const TOKEN = 'bench-admin-token-0123456789';

function csvOf(rows: number): string {
  const lines = ['First Name,Last Name,Login,Mobile Phone number,Email Address,Network'];
  for (let i = 0; i < rows; i++) {
    lines.push(`First${i},Last${i},user${i},+1201${String(i).padStart(7, '0')},user${i}@example.com,att`);
  }
  return lines.join('\n');
}

async function benchOn(kind: string, databaseEnv: NodeJS.ProcessEnv, csv: string) {
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    ADMIN_API_TOKENS: `admin:${TOKEN}`,
    DB_MIGRATE_ON_START: 'true',
    TASK_POLL_MS: '100',
    ...idleCarriersEnv(newWebhookSecret()),
    ...databaseEnv,
  };
  const baseline = await bareInsert(env);
  const port = await freePort();
  const service = await startProcess(
    SERVICE_MAIN,
    {
      ...process.env,
      ...env,
      PORT: `${port}`,
      // Deployed on PostgreSQL, the service finds its schema migrated by the init container
      // (here, by the baseline's app) and never loads the schema engine; `npm start` on the
      // embedded database migrates in the process.
      DB_MIGRATE_ON_START: kind === 'postgres' ? 'false' : 'true',
      ...DEPLOYED_MEMORY_ENV,
    },
    port,
  );
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${TOKEN}` };
  try {
    const imported = await withPeakRss(service.pid ?? 0, async () => {
      const accepted = await fetch(`${base}/v1/users/import`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'text/csv' },
        body: csv,
      });
      if (accepted.status !== 202)
        throw new Error(`import answered ${accepted.status}: ${await accepted.text()}`);
      const { id } = (await accepted.json()) as { id: string };
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const task = (await (await fetch(`${base}/v1/tasks/${id}`, { headers })).json()) as {
          state: string;
          error: string | null;
          result: { imported?: number } | null;
        };
        if (task.state === 'FAILED') throw new Error(`import failed: ${task.error}`);
        if (task.state === 'SUCCEEDED') return task.result?.imported;
      }
    });
    if (imported.result !== ROWS) throw new Error(`imported ${imported.result} of ${ROWS}`);
    process.stdout.write(
      `${kind.padEnd(9)} baseline bare INSERT ${baseline.toFixed(1)} s | import ${ROWS} rows ${imported.seconds.toFixed(1)} s (service CPU ${imported.cpuSeconds.toFixed(1)} s), ` +
        `ratio ${(imported.seconds / baseline).toFixed(1)}x, service RSS ${imported.startMb} MB at start, peak ${imported.peakMb} MB ` +
        `(+${imported.peakMb - imported.startMb} MB; anonymous ${imported.peakAnonMb} MB)\n`,
    );
  } finally {
    await stopProcess(service);
  }
}

/**
 * The baseline, in seconds: as many users and lines, with other numbers, inserted bare
 * through an app made in this process, closed before the measured service starts (the
 * embedded database belongs to one process at a time).
 */
async function bareInsert(env: NodeJS.ProcessEnv): Promise<number> {
  const app = await createApp(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
  try {
    const database = app.get(DatabaseService);
    const started = performance.now();
    await acrossOrganizations('bench', () =>
      database.transaction(
        async (db) => {
          await db.$executeRawUnsafe(
            `INSERT INTO users (id, organization_id, first_name, last_name, username, mdn, email, status, registered_at, updated_at)
             SELECT gen_random_uuid(), ${DEFAULT_ORGANIZATION_SQL}, 'F' || i, 'L' || i, 'base' || i, '+1301' || lpad(i::text, 7, '0'),
               'base' || i || '@example.com', 'ACTIVE', now(), now() FROM generate_series(1, ${ROWS}) AS i`,
          );
          await db.$executeRawUnsafe(
            `INSERT INTO network_lines (id, user_id, organization_id, network, status, status_changed_at, indicator)
             SELECT gen_random_uuid(), id, organization_id, 'att', 'NO_STATUS', now(), 'NONE' FROM users WHERE username LIKE 'base%'`,
          );
        },
        { timeout: 600_000 },
      ),
    );
    return (performance.now() - started) / 1000;
  } finally {
    await shutdown(app);
  }
}

async function main() {
  const csv = csvOf(ROWS);
  for (const kind of DATABASES) {
    if (kind === 'postgres') {
      const database = await createBenchDatabase();
      try {
        await benchOn(kind, { DATABASE_URL: database.url }, csv);
      } finally {
        await database.drop();
      }
    } else {
      const dataDir = mkdtempSync(join(tmpdir(), 'mdn-import-bench-'));
      try {
        await benchOn(kind, { DATA_DIR: dataDir }, csv);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
