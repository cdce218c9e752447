import { loadConfig, type AppConfig } from '../src/config/config';
import { openDatabase, type Database } from '../src/database/database';
import { DatabaseService } from '../src/database/database.service';
import { createBenchDatabase, DEFAULT_ORGANIZATION_SQL, run } from './support';

export interface BenchDatabase {
  url: string;
  database: Database;
  service: DatabaseService;
  config: AppConfig;
  close(): Promise<void>;
}

/** A fresh, migrated PostgreSQL database and the service's own handle on it. */
export async function openBenchDatabase(env: NodeJS.ProcessEnv = {}): Promise<BenchDatabase> {
  const created = await createBenchDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: created.url,
    DB_MIGRATE_ON_START: 'true',
    DB_POOL_MAX: '10',
    ...env,
  });
  const quiet = { info: () => undefined, error: () => undefined };
  const database = await openDatabase(config.database, quiet);
  return {
    url: created.url,
    database,
    service: new DatabaseService(database),
    config,
    close: async () => {
      await database.close();
      await created.drop();
    },
  };
}

/**
 * `count` users with one AT&T line each, ENABLED and last seen 40 days ago (so every line
 * is due to turn ORANGE). Ids are time-ordered like the service's UUIDv7, so the table is
 * laid out in id order as it is in production.
 */
export function seedStaleLines(url: string, count: number): Promise<void> {
  return seedLines(url, { from: 1, to: count, dueUpTo: count });
}

/**
 * Users `from`..`to` with one AT&T line each, ENABLED; those numbered up to `dueUpTo` were
 * last seen 40 days ago (due to turn ORANGE), the others today (GREEN, not due).
 *
 * Seeded in chunks of a million with the tables' triggers off (session_replication_role):
 * the trigger that keeps users.last_seen_at after the lines ran an UPDATE of users for
 * every line, about 140 s a million. The users get the same last_seen_at here, so the data
 * is what the trigger would have left.
 */
export async function seedLines(
  url: string,
  { from, to, dueUpTo }: { from: number; to: number; dueUpTo: number },
): Promise<void> {
  const seen = (i: string) => `CASE WHEN ${i} <= ${dueUpTo} THEN now() - interval '40 days' ELSE now() END`;
  for (let start = from; start <= to; start += SEED_CHUNK) {
    const end = Math.min(to, start + SEED_CHUNK - 1);
    await run(
      url,
      `SET session_replication_role = replica;
       INSERT INTO users (id, organization_id, first_name, last_name, username, mdn, email, status, registered_at, updated_at, last_seen_at)
       SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, ${DEFAULT_ORGANIZATION_SQL}, 'F', 'L', 'u' || i, '+1' || (2010000000 + i)::text, 'u' || i || '@example.com', 'ACTIVE', now(), now(), ${seen('i')}
       FROM generate_series(${start}, ${end}) AS i;
       INSERT INTO network_lines (id, user_id, organization_id, network, status, status_changed_at, last_seen_at, indicator)
       SELECT ('00000001-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
              ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, ${DEFAULT_ORGANIZATION_SQL}, 'att', 'ENABLED',
              now() - interval '60 days', ${seen('i')}, 'GREEN'
       FROM generate_series(${start}, ${end}) AS i;
       RESET session_replication_role;`,
    );
  }
  await run(url, 'ANALYZE');
}

const SEED_CHUNK = 1_000_000;
