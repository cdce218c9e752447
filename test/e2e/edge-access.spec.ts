import { request as httpRequest } from 'node:http';
import { SignJWT } from 'jose';
import { startApp, testConfig, type RunningApp } from '../support/app';
import { createPostgresDatabase, type TestDatabase } from '../support/databases';
import { TEST_TOKENS } from '../support/tokens';

const JWT_SECRET = 'a-test-signing-key-of-at-least-32-characters';
const METRICS_TOKEN = 'metrics-token-0123456789';
const HOUR = 3600;

/** Tokens, the optional protection of /metrics and /docs, and bodies refused unread. */
describe('access at the edge', () => {
  let database: TestDatabase;
  let running: RunningApp;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    running = await startApp(
      testConfig(database, {
        JWT_SECRET,
        METRICS_TOKEN,
        DOCS_ENABLED: 'false',
        JWT_MAX_LIFETIME_HOURS: '24',
      }),
    );
  });
  afterAll(async () => {
    await running.stop();
    await database.drop();
  });

  const usersWith = (authorization: string) =>
    fetch(`${running.baseUrl}/v1/users`, { headers: { authorization } }).then((response) => response.status);
  const jwt = (claims: { exp?: number; iat?: number; role?: string; org?: string | null }) => {
    const { role = 'admin', org = 'default' } = claims;
    const builder = new SignJWT(org === null ? { role } : { role, org })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ops@example.com');
    if (claims.iat !== undefined) builder.setIssuedAt(claims.iat);
    if (claims.exp !== undefined) builder.setExpirationTime(claims.exp);
    return builder.sign(new TextEncoder().encode(JWT_SECRET));
  };
  const now = () => Math.floor(Date.now() / 1000);

  it('takes the bearer scheme in any case', async () => {
    expect(await usersWith(`bearer ${TEST_TOKENS.member}`)).toBe(200);
    expect(await usersWith(`BEARER ${TEST_TOKENS.member}`)).toBe(200);
    expect(await usersWith(`Basic ${TEST_TOKENS.member}`)).toBe(401);
  });

  it('refuses a JWT without exp, or one that lives longer than the maximum', async () => {
    expect(await usersWith(`Bearer ${await jwt({ exp: now() + HOUR })}`)).toBe(200);
    expect(await usersWith(`Bearer ${await jwt({})}`)).toBe(401);
    expect(await usersWith(`Bearer ${await jwt({ exp: now() + 100 * 365 * 24 * HOUR })}`)).toBe(401);
    expect(await usersWith(`Bearer ${await jwt({ iat: now() - 47 * HOUR, exp: now() + HOUR })}`)).toBe(401);
    expect(await usersWith(`Bearer ${await jwt({ exp: now() - 60 })}`)).toBe(401);
  });

  it('takes a JWT for the organisation its org claim names, by slug or id; an operator’s names none', async () => {
    const exp = now() + HOUR;
    expect(await usersWith(`Bearer ${await jwt({ exp, org: '00000000-0000-4000-8000-000000000001' })}`)).toBe(
      200,
    );
    expect(await usersWith(`Bearer ${await jwt({ exp, org: null })}`)).toBe(401);
    expect(await usersWith(`Bearer ${await jwt({ exp, org: 'no-such-org' })}`)).toBe(401);
    expect(await usersWith(`Bearer ${await jwt({ exp, org: 'Not a slug' })}`)).toBe(401);
    expect(await usersWith(`Bearer ${await jwt({ exp, role: 'operator' })}`)).toBe(401);
    // An operator names its organisation per request; without one it may only manage organisations.
    const operator = `Bearer ${await jwt({ exp, role: 'operator', org: null })}`;
    expect(await usersWith(operator)).toBe(400);
    const organizations = await fetch(`${running.baseUrl}/v1/organizations`, {
      headers: { authorization: operator },
    });
    expect(organizations.status).toBe(200);
  });

  it('puts /metrics behind METRICS_TOKEN when set, and keeps /docs off when DOCS_ENABLED=false', async () => {
    expect((await fetch(`${running.baseUrl}/metrics`)).status).toBe(401);
    const withAdmin = await fetch(`${running.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
    });
    expect(withAdmin.status).toBe(401);
    const scraped = await fetch(`${running.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(scraped.status).toBe(200);
    expect((await fetch(`${running.baseUrl}/docs`)).status).toBe(404);
    expect((await fetch(`${running.baseUrl}/health/live`)).status).toBe(200);
  });

  it('refuses a stranger’s upload before reading it', async () => {
    // Only the headers go out: a server that read the body first would wait for it.
    const status = await headersOnly(running.baseUrl, '/v1/users/import', {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-length': String(5 * 1024 * 1024),
    });
    expect(status).toBe(401);
    const member = await headersOnly(running.baseUrl, '/v1/users/import', {
      authorization: `Bearer ${TEST_TOKENS.member}`,
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-length': String(5 * 1024 * 1024),
    });
    expect(member).toBe(403);
  });

  it('415 naming the accepted type for a body the route does not read; 413 over 64 KiB of JSON', async () => {
    const spreadsheet = await fetch(`${running.baseUrl}/v1/users`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_TOKENS.admin}`,
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
      body: Buffer.alloc(1024),
    });
    expect(spreadsheet.status).toBe(415);
    expect(await spreadsheet.json()).toMatchObject({
      error: 'unsupported_media_type',
      details: { accepted: ['application/json'] },
    });
    const big = await fetch(`${running.baseUrl}/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKENS.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ firstName: 'x'.repeat(70 * 1024) }),
    });
    expect(big.status).toBe(413);
  });
});

/** Sends a POST's headers and no body; resolves with the status of whatever answer comes. */
function headersOnly(baseUrl: string, path: string, headers: Record<string, string>): Promise<number> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: url.hostname, port: url.port, path, method: 'POST', headers },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        request.destroy();
      },
    );
    request.on('error', (error) => (error.message === 'socket hang up' ? undefined : reject(error)));
    request.flushHeaders();
    setTimeout(
      () => reject(new Error('no answer within 3 s: the server waited for the body')),
      3_000,
    ).unref();
  });
}
