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
export async function seedStaleLines(url: string, count: number): Promise<void> {
  await run(
    url,
    `INSERT INTO users (id, organization_id, first_name, last_name, username, mdn, email, status, registered_at, updated_at)
     SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, ${DEFAULT_ORGANIZATION_SQL}, 'F', 'L', 'u' || i, '+1201' || lpad(i::text, 7, '0'), 'u' || i || '@example.com', 'ACTIVE', now(), now()
     FROM generate_series(1, ${count}) AS i;
     INSERT INTO network_lines (id, user_id, organization_id, network, status, status_changed_at, last_seen_at, indicator)
     SELECT ('00000001-0000-7000-8000-' || substr(id::text, 25))::uuid, id, organization_id, 'att', 'ENABLED', now() - interval '60 days', now() - interval '40 days', 'GREEN' FROM users ORDER BY id;
     ANALYZE;`,
  );
}
