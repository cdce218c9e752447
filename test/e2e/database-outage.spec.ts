import { Client } from 'pg';
import { eventually } from '../support/eventually';
import { aUser } from '../support/factories';
import { apiClient, type ApiClient } from '../support/http';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { freePort, spawnService, waitForExit, waitForHttp } from '../support/process';
import { TEST_TOKENS } from '../support/tokens';
import { newWebhookSecret } from '../../src/simulator/carrier-simulator';
import { signedPost } from '../support/signed';

interface LogLine {
  level: number;
  msg?: string;
  context?: string;
  err?: { stack?: string };
  responseTime?: number;
  [key: string]: unknown;
}

interface ErrorBody {
  error: string;
  message: string;
  details?: unknown;
}

/**
 * Real faults: the service runs as its own process (so its log is read as it is written)
 * on a PostgreSQL server of the test's own, which the test stops and starts under it.
 */
describe('the service while its database is down', () => {
  let pg: PrivatePostgres;
  let service: ReturnType<typeof spawnService>;
  let api: ApiClient;
  let baseUrl: string;
  const attSecret = newWebhookSecret();

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    // A port the OS says is free: a random one may be another test's listener.
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    service = spawnService({
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: pg.url,
      DB_MIGRATE_ON_START: 'true',
      DB_POOL_ACQUIRE_TIMEOUT_MS: '1000',
      ADMIN_API_TOKENS: Object.entries(TEST_TOKENS)
        .map(([role, token]) => `${role}:${token}`)
        .join(','),
      CARRIER_SIMULATOR: 'off',
      CARRIER_ATT_WEBHOOK_SECRET: attSecret,
      PROVISION_ON_REGISTER: 'false',
      JOBS_INTERVAL_SECONDS: '3600',
    });
    const ready = await waitForHttp(`${baseUrl}/health/ready`);
    if (ready.status !== 200) throw new Error(`not ready: ${await ready.text()}\n${service.output().stderr}`);
    api = apiClient(baseUrl, 'admin');
  });

  afterAll(async () => {
    if (service.exitCode === null) {
      service.kill('SIGTERM');
      await waitForExit(service).catch(() => service.kill('SIGKILL'));
    }
    await pg.destroy();
  });

  const logLines = (from = 0): LogLine[] =>
    service
      .output()
      .stdout.slice(from)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  /** pino-http's one line per request: its shape belongs to the access log, not to this test. */
  const isAccessLog = (line: LogLine) => line.context === 'AccessLog';

  it('answers 503 with Retry-After, logs the outage once, and works again when PostgreSQL is back', async () => {
    expect((await api.get('/v1/users')).status).toBe(200);
    const logMark = service.output().stdout.length;

    await pg.stop('immediate');

    const refusals = [];
    for (let i = 0; i < 20; i++) refusals.push(await api.get<ErrorBody>('/v1/users'));
    const user = aUser();
    refusals.push(await api.post<ErrorBody>('/v1/users', user));
    // A carrier's delivery is stored by pg itself, not through Prisma: refused the same way.
    const delivery = await signedPost(
      `${baseUrl}/v1/webhooks/carriers/att`,
      JSON.stringify({
        type: 'activity.seen',
        callbackId: 'during-outage',
        occurredAt: new Date().toISOString(),
        mdn: user.mdn,
      }),
      { secret: attSecret },
    );
    refusals.push({
      status: delivery.status,
      headers: delivery.headers,
      body: (await delivery.json()) as ErrorBody,
    });
    for (const response of refusals) {
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.body).toMatchObject({ error: 'database_unavailable', message: expect.any(String) });
      expectNoDriverText(JSON.stringify(response.body), pg.port);
    }

    // Long enough for every job that polls each second to find the database gone twice.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    const ready = await fetch(`${baseUrl}/health/ready`);
    expect(ready.status).toBe(503);
    const readyText = await ready.text();
    expect(JSON.parse(readyText)).toMatchObject({
      status: 'error',
      error: { database: { status: 'down', kind: 'postgres', reason: 'unreachable' } },
    });
    expectNoDriverText(readyText, pg.port);

    const duringOutage = logLines(logMark).filter((line) => !isAccessLog(line));
    // Not one stack (or one line) per refused request: one line when the outage starts.
    expect(duringOutage.filter((line) => line.err?.stack)).toEqual([]);
    expect(duringOutage.filter((line) => line.msg === 'Unhandled error')).toEqual([]);
    expect(duringOutage.filter((line) => /database unavailable/i.test(line.msg ?? ''))).toHaveLength(1);
    expect(duringOutage.length).toBeLessThanOrEqual(3);

    await pg.start();

    await eventually(async () => ((await api.get('/v1/users')).status === 200 ? true : undefined), 15_000);
    const back = await eventually(
      () => Promise.resolve(logLines(logMark).find((line) => /reachable again/i.test(line.msg ?? ''))),
      15_000,
    );
    // Readiness probes are not counted; a request racing the restart may be.
    expect(back).toMatchObject({ level: 30, downForMs: expect.any(Number) });
    expect(back.refused).toBeGreaterThanOrEqual(refusals.length);
    expect(logLines(logMark).filter((line) => /reachable again/i.test(line.msg ?? ''))).toHaveLength(1);
    expect((await fetch(`${baseUrl}/health/ready`)).status).toBe(200);

    // The refused registration wrote nothing.
    expect(await countUsers(pg.url, user.username)).toBe(0);
    expect((await api.post('/v1/users', user)).status).toBe(201);
    expect(await countUsers(pg.url, user.username)).toBe(1);
  });

  it('answers 503 too when the server dies with its connections open (kill -9), then recovers', async () => {
    expect((await api.get('/v1/users')).status).toBe(200);
    await pg.kill();
    const refused = await api.get<ErrorBody>('/v1/users');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.body.error).toBe('database_unavailable');
    await pg.start();
    await eventually(async () => ((await api.get('/v1/users')).status === 200 ? true : undefined), 15_000);
  });
});

/** Nothing of what the driver said reaches a caller: no address, no socket error, no SQLSTATE text. */
function expectNoDriverText(text: string, port: number): void {
  expect(text).not.toContain(String(port));
  expect(text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|reach database|terminat|prisma|57P0/i);
}

async function countUsers(url: string, username: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM users WHERE username = $1',
      [username],
    );
    return result.rows[0].n;
  } finally {
    await client.end();
  }
}
