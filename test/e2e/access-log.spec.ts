import { adminQuery, createPostgresDatabase, type TestDatabase } from '../support/databases';
import { eventually } from '../support/eventually';
import { aUser } from '../support/factories';
import { freePort, jsonLines, spawnService, waitForExit, waitForHttp } from '../support/process';
import { TEST_TOKENS } from '../support/tokens';

/**
 * The built service as operators run it, its log read from stdout: the access log is
 * what reaches the log stream, whoever refused the request. (npm test builds dist first.)
 */
const OPERATOR = 'operator-token-0123456789abcdef';

describe('the access log', () => {
  let database: TestDatabase;
  let service: ReturnType<typeof spawnService>;
  let databaseUrl: string;
  let baseUrl: string;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    if (database.config.kind !== 'postgres') throw new Error('the test needs PostgreSQL');
    databaseUrl = database.config.url;
    const port = await freePort();
    service = spawnService({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      DB_MIGRATE_ON_START: 'true',
      ADMIN_API_TOKENS: `admin:${TEST_TOKENS.admin},operator:${OPERATOR}`,
      CARRIER_SIMULATOR: 'off',
      PROVISION_ON_REGISTER: 'false',
      JOBS_INTERVAL_SECONDS: '3600',
    });
    baseUrl = `http://127.0.0.1:${port}`;
    await waitForHttp(`${baseUrl}/health/live`);
  });

  afterAll(async () => {
    if (service.exitCode === null) {
      service.kill('SIGTERM');
      await waitForExit(service).catch(() => service.kill('SIGKILL'));
    }
    await database?.drop();
  });

  const logLines = () => jsonLines(service.output().stdout);
  const linesOf = (reqId: string) => logLines().filter((line) => line.reqId === reqId);
  const accessLines = (reqId: string) => linesOf(reqId).filter((line) => line.context === 'AccessLog');

  /** Sends a request and waits for its access line; the id comes back in x-request-id. */
  async function send(path: string, init: RequestInit & { token?: string } = {}) {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    const response = await fetch(`${baseUrl}${path}`, { ...init, headers });
    const body = await response.text();
    const reqId = response.headers.get('x-request-id') ?? '';
    expect(reqId).not.toBe('');
    const line = await eventually(() => Promise.resolve(accessLines(reqId)[0]));
    return { status: response.status, body, reqId, line };
  }

  const postJson = (body: string, token?: string): RequestInit & { token?: string } => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    token,
  });

  it('writes one line for an accepted request, with the route, the caller and no MDN', async () => {
    const user = aUser();
    const created = await send('/v1/users', postJson(JSON.stringify(user), TEST_TOKENS.admin));
    expect(created.status).toBe(201);
    const listed = await send(`/v1/users?q=${encodeURIComponent(user.mdn)}`, { token: TEST_TOKENS.admin });
    expect(listed.status).toBe(200);

    expect(listed.line).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: expect.any(Number),
      hostname: expect.any(String),
      context: 'AccessLog',
      reqId: listed.reqId,
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
      method: 'GET',
      route: '/v1/users',
      statusCode: 200,
      durationMs: expect.any(Number),
      subject: 'static:admin',
      role: 'admin',
      organization: 'default',
      msg: 'request completed',
    });
    expect(created.line).toMatchObject({ method: 'POST', route: '/v1/users', statusCode: 201 });
    expect(accessLines(created.reqId)).toHaveLength(1);
    expect(accessLines(listed.reqId)).toHaveLength(1);
    expect(service.output().stdout).not.toContain(user.mdn.slice(1));
  });

  it("names the organisation an operator acted in, and an operator's refusal without one", async () => {
    const acted = await send('/v1/users', { token: OPERATOR, headers: { 'x-organization': 'default' } });
    expect(acted.status).toBe(200);
    expect(acted.line).toMatchObject({ role: 'operator', organization: 'default', statusCode: 200 });
    const unnamed = await send('/v1/users', { token: OPERATOR });
    expect(unnamed.status).toBe(400);
    expect(unnamed.line).toMatchObject({ role: 'operator', statusCode: 400 });
    expect(unnamed.line.organization).toBeUndefined();
  });

  it("carries the caller's W3C trace id, or one begun for the request", async () => {
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const traced = await send('/v1/users', {
      token: TEST_TOKENS.admin,
      headers: { traceparent: `00-${trace}-00f067aa0ba902b7-01` },
    });
    expect(traced.line.traceId).toBe(trace);
    const untraced = await send('/v1/users', { token: TEST_TOKENS.admin });
    expect(untraced.line.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(untraced.line.traceId).not.toBe(trace);
    // Refused before any handler ran: still in the caller's trace.
    const refused = await send('/v1/users', { headers: { traceparent: `00-${trace}-00f067aa0ba902b7-01` } });
    expect(refused.line).toMatchObject({ statusCode: 401, traceId: trace });
  });

  it('writes the line for requests refused before or by authentication', async () => {
    const mdn = aUser().mdn;
    const anonymous = await send(`/v1/users/${encodeURIComponent(mdn)}?q=${encodeURIComponent(mdn)}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.line).toMatchObject({ method: 'GET', route: '/v1/users/:id', statusCode: 401 });
    expect(anonymous.line).not.toHaveProperty('subject');

    const badJson = await send('/v1/users', postJson('{"firstName":', TEST_TOKENS.admin));
    expect(badJson.status).toBe(400);
    expect(badJson.line).toMatchObject({ method: 'POST', route: '/v1/users', statusCode: 400 });

    const tooLarge = await send(
      '/v1/users',
      postJson(JSON.stringify({ note: 'x'.repeat(70_000) }), TEST_TOKENS.admin),
    );
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.line).toMatchObject({ route: '/v1/users', statusCode: 413, subject: 'static:admin' });

    const nowhere = await send(`/nowhere/${encodeURIComponent(mdn)}`);
    expect(nowhere.status).toBe(404);
    expect(nowhere.line).toMatchObject({ method: 'GET', route: 'unmatched', statusCode: 404 });

    const webhook = await send('/v1/webhooks/carriers/verizon', postJson('{}'));
    expect(webhook.status).toBe(401);
    expect(webhook.line).toMatchObject({
      route: '/v1/webhooks/carriers/:network',
      statusCode: 401,
      webhookSource: 'verizon',
    });

    const strangeSource = await send(`/v1/webhooks/carriers/${encodeURIComponent(mdn)}`, postJson('{}'));
    expect(strangeSource.status).toBe(404);
    expect(strangeSource.line).toMatchObject({ statusCode: 404, webhookSource: 'unknown' });
    const sms = await send('/v1/webhooks/sms', postJson('{}'));
    expect(sms.line).toMatchObject({ route: '/v1/webhooks/sms', statusCode: 401, webhookSource: 'sms' });

    for (const { reqId } of [anonymous, badJson, tooLarge, nowhere, webhook, strangeSource, sms]) {
      expect(accessLines(reqId)).toHaveLength(1);
    }
    expect(service.output().stdout).not.toContain(mdn.slice(1));
  });

  it('leaves out health probes and metrics scrapes', async () => {
    const probes = await Promise.all(
      ['/health/live', '/health/ready', '/metrics'].map(async (path) => {
        const response = await fetch(`${baseUrl}${path}`);
        await response.text();
        expect(response.status).toBe(200);
        return response.headers.get('x-request-id') ?? '';
      }),
    );
    // Lines are written in order: once a later request's line is out, the probes' would be.
    await send('/nowhere');
    for (const reqId of probes) expect(linesOf(reqId)).toEqual([]);
  });

  it('gives an unexpected error line the request id of its access line', async () => {
    // A table gone from under the service: every query on it fails unexpectedly.
    await adminQuery('DROP TABLE users CASCADE', databaseUrl);

    const listed = await send('/v1/users', { token: TEST_TOKENS.admin });
    // A body that arrives after the headers, so it is read in socket events of its own:
    // the request's log context has to survive body parsing.
    const user = aUser();
    const created = await send('/v1/users', {
      ...postJson('', TEST_TOKENS.admin),
      body: slowBody(JSON.stringify(user)),
      duplex: 'half',
    });

    for (const failed of [listed, created]) {
      expect(failed.status).toBe(500);
      expect(failed.line).toMatchObject({ statusCode: 500, subject: 'static:admin' });
      const { details } = JSON.parse(failed.body) as { details: { errorId: string } };
      const errorLine = await eventually(() =>
        Promise.resolve(
          logLines().find((line) => line.context === 'Errors' && line.errorId === details.errorId),
        ),
      );
      expect(errorLine).toMatchObject({ level: 50, msg: 'Unhandled error', reqId: failed.reqId });
    }
    expect(service.output().stdout).not.toContain(user.mdn.slice(1));
  });
});

/** Sends the text a moment after the request's headers, in a chunk of its own. */
function slowBody(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async start(controller) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
}
