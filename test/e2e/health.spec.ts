import { DatabaseService } from '../../src/database/database.service';
import { createEmbeddedDatabase, createPostgresDatabase, type TestDatabase } from '../support/databases';
import { startApp, testConfig, type RunningApp } from '../support/app';
import { readJson } from '../support/http';

describe('health endpoints', () => {
  let target: TestDatabase;
  let running: RunningApp;

  beforeAll(async () => {
    target = await createPostgresDatabase();
    running = await startApp(testConfig(target));
  });
  afterAll(async () => {
    await running.stop();
    await target.drop();
  });

  it('GET /health/live answers 200', async () => {
    const response = await fetch(`${running.baseUrl}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('GET /health/ready answers 200 with the database up', async () => {
    const response = await fetch(`${running.baseUrl}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up', kind: 'postgres' } },
    });
  });

  it('echoes a request id, or makes one', async () => {
    const given = await fetch(`${running.baseUrl}/health/live`, { headers: { 'x-request-id': 'req-42' } });
    expect(given.headers.get('x-request-id')).toBe('req-42');
    const made = await fetch(`${running.baseUrl}/health/live`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the OpenAPI document', async () => {
    const response = await fetch(`${running.baseUrl}/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Record<string, unknown> };
    expect(document.paths['/health/ready']).toBeDefined();
  });

  it('answers unknown routes with the error body', async () => {
    const response = await fetch(`${running.baseUrl}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('readiness when the database is gone', () => {
  it('answers 503 naming the database', async () => {
    const running = await startApp(testConfig(createEmbeddedDatabase()));
    try {
      await running.app.get(DatabaseService).onApplicationShutdown();
      const response = await fetch(`${running.baseUrl}/health/ready`);
      expect(response.status).toBe(503);
      const body = await readJson(response);
      expect(body).toMatchObject({
        status: 'error',
        error: { database: { status: 'down', kind: 'embedded', reason: 'failing' } },
      });
      // A coarse reason only: what the driver said is for the log.
      expect(body.error.database).not.toHaveProperty('message');
      expect(JSON.stringify(body)).not.toMatch(/PGlite|is closed|prisma/i);
    } finally {
      await running.stop();
    }
  });
});
