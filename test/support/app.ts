import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp, shutdown, type AppOverrides } from '../../src/app';
import { loadConfig, type AppConfig } from '../../src/config/config';
import type { Clock } from '../../src/common/clock';
import { createPostgresDatabase, type TestDatabase } from './databases';
import { apiClient } from './http';
import { TEST_TOKENS } from './tokens';

export function testConfig(database: TestDatabase, env: NodeJS.ProcessEnv = {}): AppConfig {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_API_TOKENS: Object.entries(TEST_TOKENS)
      .map(([role, token]) => `${role}:${token}`)
      .join(','),
    // Tests start the carrier simulator themselves and run jobs by hand.
    CARRIER_SIMULATOR: 'off',
    PROVISION_ON_REGISTER: 'false',
    JOBS_INTERVAL_SECONDS: '3600',
    // Tests drive the reconciler themselves (flow.settle()); a test may turn wake-ups on.
    RECONCILE_ON_INTENT: 'false',
    RECONCILE_INTERVAL_MS: '3600000',
    ...env,
  });
  return { ...config, database: withDatabaseVariables(database.config, config.database, env) };
}

/**
 * The test database's own settings, except those the test gave as variables: a test that
 * says DB_MIGRATE_ON_START=false or DB_POOL_MAX=2 means it. (`fromEnv` was read without a
 * DATABASE_URL, so its pool settings are read again here.)
 */
function withDatabaseVariables(
  target: AppConfig['database'],
  fromEnv: AppConfig['database'],
  env: NodeJS.ProcessEnv,
): AppConfig['database'] {
  const migrateOnStart =
    env.DB_MIGRATE_ON_START === undefined ? target.migrateOnStart : fromEnv.migrateOnStart;
  if (target.kind !== 'postgres') return { ...target, migrateOnStart };
  const pool = loadConfig({ ...env, DATABASE_URL: target.url }).database;
  if (pool.kind !== 'postgres') throw new Error('a DATABASE_URL configures PostgreSQL');
  const given = (name: string) => env[name] !== undefined;
  return {
    ...target,
    migrateOnStart,
    poolMax: given('DB_POOL_MAX') ? pool.poolMax : target.poolMax,
    acquireTimeoutMs: given('DB_POOL_ACQUIRE_TIMEOUT_MS') ? pool.acquireTimeoutMs : target.acquireTimeoutMs,
    statementTimeoutMs: given('DB_STATEMENT_TIMEOUT_MS')
      ? pool.statementTimeoutMs
      : target.statementTimeoutMs,
  };
}

export interface RunningApp {
  app: NestFastifyApplication;
  baseUrl: string;
  config: AppConfig;
  stop(): Promise<void>;
}

/** The whole service on a random port, spoken to over real HTTP. */
export async function startApp(config: AppConfig, overrides: AppOverrides = {}): Promise<RunningApp> {
  const app = await createApp(config, overrides);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, config, baseUrl: `http://127.0.0.1:${port}`, stop: () => shutdown(app) };
}

/** The service on a fresh PostgreSQL database, with an admin client; `stop` drops both. */
export async function startApiApp(
  clock?: Clock,
  createDatabase: () => Promise<TestDatabase> = createPostgresDatabase,
  env: NodeJS.ProcessEnv = {},
): Promise<RunningApp & { admin: ReturnType<typeof apiClient>; stopAll(): Promise<void> }> {
  const target = await createDatabase();
  const running = await startApp(testConfig(target, env), { clock });
  return {
    ...running,
    admin: apiClient(running.baseUrl, 'admin'),
    stopAll: async () => {
      await running.stop();
      await target.drop();
    },
  };
}
