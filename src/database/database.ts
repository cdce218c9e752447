import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createPGlite, pgliteAdapterFactory } from './embedded-extensions';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { Client, Pool, type ClientBase, type PoolClient, type PoolConfig } from 'pg';
import { parse } from 'pg-connection-string';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { AppConfig } from '../config/config';
import { PrismaClient } from '../generated/prisma/client';
import {
  ACT_ACROSS_ORGANIZATIONS,
  ACT_AS_APPLICATION,
  BYPASSES_RLS,
  prepareApplicationRole,
} from './application-role';
import { applyMigrations, withSchemaEngine } from './schema-engine';
import { lockDataDir } from './data-dir-lock';
import {
  rollBackInterrupted,
  withTransactionalScripts,
  type InTransaction,
  type SqlSession,
} from './crash-safe-migrations';

export type DatabaseConfig = AppConfig['database'];

export interface DatabaseLogger {
  info(message: string): void;
  warn?(message: string): void;
  error(message: string, error?: unknown): void;
}

function roleLog(logger: DatabaseLogger) {
  return { warn: (message: string) => (logger.warn ?? logger.info)(message) };
}

/** One Prisma client over either an embedded PGlite or a PostgreSQL pool. */
export interface Database {
  readonly kind: DatabaseConfig['kind'];
  /** Sessions that act for no one until a transaction says whom (DatabaseService.run). */
  readonly prisma: PrismaClient;
  /**
   * PostgreSQL only: a second pool whose sessions act across organisations for good, for
   * background work and callbacks, so their statements need no transaction to say so.
   * The embedded database has one session: there every transaction says whom it acts for.
   */
  readonly acrossOrganizations?: PrismaClient;
  /**
   * PostgreSQL only: the same pool, for the one hot path that sends its statement through
   * `pg` itself (DatabaseService.queryAcrossOrganizations: the webhook intake).
   */
  readonly acrossOrganizationsPool?: Pool;
  /** Adapter factory for the schema engine (migrations, diffs). */
  migrationAdapter(): SqlMigrationAwareDriverAdapterFactory;
  /**
   * Runs `work` as the tables' owner (migrations), then makes sure the application role
   * exists with its grants (application-role.ts).
   */
  asOwner<T>(work: () => Promise<T>): Promise<T>;
  /** Runs `work` holding the migration lock: one migrator at a time, across processes. */
  withMigrationLock<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function openDatabase(config: DatabaseConfig, logger: DatabaseLogger): Promise<Database> {
  const database =
    config.kind === 'embedded' ? await openEmbedded(config.dataDir, logger) : openPostgres(config, logger);
  const applied = await database.asOwner(() =>
    config.migrateOnStart ? migrate(database, logger) : Promise.resolve(undefined),
  );
  if (applied) {
    logger.info(
      applied.length
        ? `Applied migrations: ${applied.join(', ')}`
        : 'No pending migrations: the database schema is up to date',
    );
  }
  await refuseToBypassRowSecurity(database);
  return database;
}

/** Applies pending migrations, first taking back any a killed run left unfinished. */
export function migrate(database: Database, logger?: DatabaseLogger): Promise<string[]> {
  return database.asOwner(() =>
    database.withMigrationLock(async (session) => {
      const interrupted = await rollBackInterrupted(session);
      if (interrupted.length > 0) {
        logger?.info(`Migrations interrupted before they finished, applied again: ${interrupted.join(', ')}`);
      }
      return withSchemaEngine(database.migrationAdapter(), applyMigrations);
    }),
  );
}

/** Row-level security is the second wall: a service that would pass through it does not start. */
async function refuseToBypassRowSecurity(database: Database): Promise<void> {
  const [row] = await database.prisma.$queryRawUnsafe<{ bypasses: boolean }[]>(BYPASSES_RLS);
  if (row?.bypasses !== false) {
    await database.close();
    throw new Error(
      'The database role the service acts as bypasses row-level security (a superuser or BYPASSRLS); ' +
        'see src/database/application-role.ts',
    );
  }
}

async function openEmbedded(dataDir: string, logger: DatabaseLogger): Promise<Database> {
  // `memory://` keeps everything in memory (tests, throw-away demos).
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) await mkdir(dataDir, { recursive: true });
  // Before PGlite opens it: a second process must not write the directory at all.
  const lock = inMemory ? undefined : lockDataDir(dataDir);
  const pglite = await createPGlite(dataDir).catch((error: unknown) => {
    lock?.release();
    throw error;
  });
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  // One connection: the owner's session while migrating, the application role's after.
  const query = (sql: string) => pglite.query(sql);
  const session: SqlSession = {
    exec: async (script) => void (await pglite.exec(script)),
    query: (sql, params) => pglite.query(sql, params),
  };
  const inTransaction: InTransaction = (work) =>
    pglite.transaction((tx) =>
      work({
        exec: async (script) => void (await tx.exec(script)),
        query: (sql, params) => tx.query(sql, params),
      }),
    );
  return {
    kind: 'embedded',
    prisma,
    migrationAdapter: () => transactionalFactory(pgliteAdapterFactory(pglite), () => inTransaction),
    // One process owns the data directory (see the data-dir lock), so no lock is needed here.
    withMigrationLock: (work) => work(session),
    asOwner: async (work) => {
      await pglite.exec('RESET ROLE');
      try {
        return await work();
      } finally {
        await prepareApplicationRole(query, roleLog(logger));
        await pglite.exec(ACT_AS_APPLICATION);
      }
    },
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
      lock?.release();
    },
  };
}

type PostgresConfig = Extract<DatabaseConfig, { kind: 'postgres' }>;

/**
 * The pool is built here rather than by the adapter: the adapter's default pool waits
 * forever for a connection and keeps no TCP keep-alive, so a vanished server would hang
 * requests instead of failing them. A broken connection is dropped by the pool and the
 * next query opens a fresh one, which is how a PostgreSQL restart is survived.
 */
export function createPool(
  config: PostgresConfig,
  logger: DatabaseLogger,
  session = ACT_AS_APPLICATION,
): Pool {
  const pool = new Pool({
    connectionString: config.url,
    max: config.poolMax,
    connectionTimeoutMillis: config.acquireTimeoutMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    statement_timeout: config.statementTimeoutMs,
    application_name: 'mdn-provisioning',
    // Every connection acts as the application role before its first query. pg-pool awaits
    // the promise and drops the connection if it fails (its types say void).
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- pg-pool awaits it
    onConnect: async (client: ClientBase) => {
      await client.query(session);
    },
  });
  // A server going away drops every idle connection at once: one line says so, not one
  // per connection. The next connection made arms it again.
  let reported = false;
  const report = (error: Error) => {
    if (!reported) logger.error('PostgreSQL dropped pool connections', error);
    reported = true;
  };
  pool.on('connect', (client) => {
    reported = false;
    // The pool listens only to idle connections: one checked out when the server dies
    // emits 'error' on the client itself, and an 'error' nobody listens to kills the
    // process. Its query fails on its own; this only keeps the process alive.
    client.on('error', report);
  });
  pool.on('error', report);
  return pool;
}

function openPostgres(config: PostgresConfig, logger: DatabaseLogger): Database {
  // An interactive transaction waits for a connection as long as any query does (Prisma's
  // own default, 2 s, would give up first: 503 under load the pool would have absorbed).
  const client = (pool: Pool) =>
    new PrismaClient({
      adapter: new PrismaPg(pool),
      transactionOptions: { maxWait: config.acquireTimeoutMs },
    });
  const pool = createPool(config, logger);
  const systemPool = createPool(config, logger, ACT_ACROSS_ORGANIZATIONS);
  const prisma = client(pool);
  const acrossOrganizations = client(systemPool);
  return {
    kind: 'postgres',
    prisma,
    acrossOrganizations,
    acrossOrganizationsPool: systemPool,
    migrationAdapter: () => new PostgresMigrationAdapter(config.url),
    withMigrationLock: (work) => withPostgresMigrationLock(config.url, work),
    asOwner: async (work) => {
      try {
        return await work();
      } finally {
        await asOwnerOf(config.url, (query) => prepareApplicationRole(query, roleLog(logger)));
      }
    },
    close: async () => {
      await Promise.all([prisma.$disconnect(), acrossOrganizations.$disconnect()]);
      await Promise.all([pool.end(), systemPool.end()]);
    },
  };
}

/** A connection of the configured user itself (the tables' owner), for the role's grants. */
async function asOwnerOf(
  url: string,
  work: (query: (sql: string) => Promise<{ rows: unknown[] }>) => Promise<void>,
) {
  const client = new Client({ ...connectionParts(url), application_name: 'mdn-provisioning-owner' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await work((sql) => client.query(sql));
  } finally {
    await client.end();
  }
}

/**
 * PrismaPg's own shadow database handling has two faults: given a connection string it
 * connects the "shadow" to the real database, and it drops the shadow database before
 * closing its pool, which PostgreSQL refuses. This factory does both in the right way.
 */
class PostgresMigrationAdapter implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName = '@prisma/adapter-pg';

  constructor(private readonly url: string) {}

  /** The engine's connection; its migration scripts run in transactions (crash-safe-migrations.ts). */
  async connect(): Promise<SqlDriverAdapter> {
    const pool = new Pool(connectionParts(this.url));
    const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
    return withTransactionalScripts(adapter, poolTransaction(pool));
  }

  private plainConnection(): Promise<SqlDriverAdapter> {
    return new PrismaPg(connectionParts(this.url)).connect();
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const admin = await this.plainConnection();
    const name = `prisma_migrate_shadow_db_${randomUUID().replaceAll('-', '')}`;
    await admin.executeScript(`CREATE DATABASE "${name}"`);
    const shadow = await new PrismaPg({ ...connectionParts(this.url), database: name }).connect();
    const closeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await closeShadow();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.dispose();
    };
    return shadow;
  }
}

function connectionParts(url: string): PoolConfig {
  const { host, port, user, password, database, ssl } = parse(url);
  return {
    host: host ?? undefined,
    port: port ? Number(port) : undefined,
    user,
    password,
    database: database ?? undefined,
    ssl: ssl === true || (typeof ssl === 'object' && ssl !== null) ? (ssl as PoolConfig['ssl']) : undefined,
    application_name: 'mdn-provisioning-migrate',
  };
}

/** Takes the engine's connections as they are, with each migration script in a transaction. */
function transactionalFactory(
  factory: SqlMigrationAwareDriverAdapterFactory,
  inTransaction: () => InTransaction,
): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => withTransactionalScripts(await factory.connect(), inTransaction()),
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}

/** The adapter hands each query to any pooled connection: a transaction takes one for itself. */
function poolTransaction(pool: Pool): InTransaction {
  return async (work) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await work(sessionOf(client));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
}

/** Without parameters pg sends a script as one simple query, so several statements run. */
function sessionOf(client: Client | PoolClient): SqlSession {
  return {
    exec: async (script) => void (await client.query(script)),
    query: (sql, params) => client.query(sql, params),
  };
}

/**
 * An advisory lock of this service's own, held on a connection of its own for the whole
 * run: the engine's own lock is taken and released inside it, so it cannot cover the
 * roll-back of interrupted migrations that comes first. A killed holder's lock goes with
 * its connection.
 */
const MIGRATION_LOCK_ID = 727073690;

async function withPostgresMigrationLock<T>(
  url: string,
  work: (session: SqlSession) => Promise<T>,
): Promise<T> {
  const client = new Client(connectionParts(url));
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    return await work(sessionOf(client));
  } finally {
    await client.end().catch(() => undefined);
  }
}
