import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config';
import { configSchema } from '../../src/config/config.schema';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs on the embedded database with defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3000);
    expect(config.database).toEqual({ kind: 'embedded', dataDir: './.data', migrateOnStart: true });
    expect(config.lines.staleAfterDays).toBe(30);
  });

  it('uses PostgreSQL when DATABASE_URL is set, with pool settings', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://u@db:5432/mdn', DB_POOL_MAX: '20' });
    expect(config.database).toMatchObject({
      kind: 'postgres',
      url: 'postgresql://u@db:5432/mdn',
      poolMax: 20,
      migrateOnStart: false,
    });
  });

  it('names every bad value in one error', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DB_POOL_MAX: '0',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: must be a whole number/),
        expect.stringMatching(/^DB_POOL_MAX: must be at least 1/),
        expect.stringMatching(/^DATABASE_URL: must be a postgres/),
        expect.stringMatching(/^LOG_LEVEL: /),
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('refuses production without any API credential', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toContainEqual(
      expect.stringMatching(/ADMIN_API_TOKENS or JWT_SECRET/),
    );
  });

  it('in production, names every missing carrier setting', () => {
    const problems = problemsOf({ NODE_ENV: 'production', ADMIN_API_TOKENS: 'owner:aaaaaaaaaaaaaaaa' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^CARRIER_VERIZON_URL: must be set/),
        expect.stringMatching(/^CARRIER_TMOBILE_WEBHOOK_SECRET: must be set/),
        expect.stringMatching(/^SMS_GATEWAY_URL: must be set/),
        expect.stringMatching(/^SMS_WEBHOOK_SECRET: must be set/),
      ]),
    );
  });

  it('runs the carrier simulator only outside production and when no carrier is configured', () => {
    expect(loadConfig({}).carriers.simulator).toBe(true);
    expect(loadConfig({ CARRIER_ATT_URL: 'http://att.example' }).carriers.simulator).toBe(false);
    expect(
      problemsOf({
        NODE_ENV: 'production',
        CARRIER_SIMULATOR: 'on',
        ADMIN_API_TOKENS: 'owner:aaaaaaaaaaaaaaaa',
      }),
    ).toContainEqual('CARRIER_SIMULATOR: the simulator cannot run in production');
  });

  it('refuses a webhook secret that is not whsec_ base64', () => {
    expect(problemsOf({ SMS_WEBHOOK_SECRET: 'plain-secret' })).toEqual([
      'SMS_WEBHOOK_SECRET: must be whsec_ followed by at least 18 bytes of base64 (several: comma-separated)',
    ]);
  });

  it('parses role[@organization]:token pairs and refuses bad ones without echoing the token', () => {
    const config = loadConfig({
      ADMIN_API_TOKENS:
        'owner:aaaaaaaaaaaaaaaa, member@acme:bbbbbbbbbbbbbbbb,admin@01936b2e-1234-7890-8123-456789012345:cccccccccccccccc,operator:dddddddddddddddd',
    });
    expect(config.auth.staticTokens).toEqual([
      // No organisation named: the default one (the embedded default's, and rows from before organisations).
      {
        role: 'owner',
        token: 'aaaaaaaaaaaaaaaa',
        organization: { id: '00000000-0000-4000-8000-000000000001' },
      },
      { role: 'member', token: 'bbbbbbbbbbbbbbbb', organization: { slug: 'acme' } },
      {
        role: 'admin',
        token: 'cccccccccccccccc',
        organization: { id: '01936b2e-1234-7890-8123-456789012345' },
      },
      { role: 'operator', token: 'dddddddddddddddd' },
    ]);
    const problems = problemsOf({
      ADMIN_API_TOKENS:
        'root:secretsecretsecret,admin:short,operator@acme:secretsecretsecret,owner@Not Slug:eeeeeeeeeeeeeeee',
    });
    expect(problems).toHaveLength(4);
    expect(problems.join(' ')).not.toContain('secretsecretsecret');
  });

  it('lists every variable in .env.example, and nothing else', () => {
    const example = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
    const listed = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]).sort();
    expect(listed).toEqual(Object.keys(configSchema.shape).sort());
  });
});
