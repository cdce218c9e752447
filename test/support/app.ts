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
  return { ...config, database: database.config };
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
): Promise<RunningApp & { admin: ReturnType<typeof apiClient>; stopAll(): Promise<void> }> {
  const target = await createDatabase();
  const running = await startApp(testConfig(target), { clock });
  return {
    ...running,
    admin: apiClient(running.baseUrl, 'admin'),
    stopAll: async () => {
      await running.stop();
      await target.drop();
    },
  };
}
