import { testConfig } from '../../support/app';
import { createEmbeddedDatabase, type TestDatabase } from '../../support/databases';

/** A PostgreSQL test database as createPostgresDatabase describes one, without making it. */
const postgresTarget: TestDatabase = {
  kind: 'postgres',
  config: {
    kind: 'postgres',
    url: 'postgresql://postgres@127.0.0.1:5432/not_made',
    poolMax: 5,
    acquireTimeoutMs: 5_000,
    statementTimeoutMs: 30_000,
    migrateOnStart: true,
  },
  drop: () => Promise.resolve(),
};

describe('testConfig', () => {
  it('keeps the test database settings when the test gives no database variables', () => {
    expect(testConfig(postgresTarget).database).toEqual(postgresTarget.config);
    expect(testConfig(createEmbeddedDatabase()).database).toMatchObject({ migrateOnStart: true });
  });

  it('applies DB_MIGRATE_ON_START given as a variable, on either kind of database', () => {
    expect(testConfig(postgresTarget, { DB_MIGRATE_ON_START: 'false' }).database.migrateOnStart).toBe(false);
    expect(
      testConfig(createEmbeddedDatabase(), { DB_MIGRATE_ON_START: 'false' }).database.migrateOnStart,
    ).toBe(false);
  });

  it('applies the pool settings given as variables to a PostgreSQL database', () => {
    const { database } = testConfig(postgresTarget, {
      DB_POOL_MAX: '2',
      DB_POOL_ACQUIRE_TIMEOUT_MS: '700',
      DB_STATEMENT_TIMEOUT_MS: '900',
    });
    expect(database).toEqual({
      ...postgresTarget.config,
      poolMax: 2,
      acquireTimeoutMs: 700,
      statementTimeoutMs: 900,
    });
  });
});
