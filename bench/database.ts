import { loadConfig, type AppConfig } from '../src/config/config';
import { openDatabase, type Database } from '../src/database/database';
import { DatabaseService } from '../src/database/database.service';
import { createBenchDatabase } from './support';

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
