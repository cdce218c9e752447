import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { Client, Pool, type PoolClient, type PoolConfig } from 'pg';
import { parse } from 'pg-connection-string';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { AppConfig } from '../config/config';
import { PrismaClient } from '../generated/prisma/client';
import { lockDataDir } from './data-dir-lock';
import {
  rollBackInterrupted,
  withTransactionalScripts,
  type InTransaction,
  type SqlSession,
} from './crash-safe-migrations';
import { applyMigrations, withSchemaEngine } from './schema-engine';

export type DatabaseConfig = AppConfig['database'];

export interface DatabaseLogger {
  info(message: string): void;
  error(message: string, error?: unknown): void;
}

/** One Prisma client over either an embedded PGlite or a PostgreSQL pool. */
export interface Database {
  readonly kind: DatabaseConfig['kind'];
  readonly prisma: PrismaClient;
  /** Adapter factory for the schema engine (migrations, diffs). */
  migrationAdapter(): SqlMigrationAwareDriverAdapterFactory;
  /** Runs `work` holding the migration lock: one migrator at a time, across processes. */
  withMigrationLock<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function openDatabase(config: DatabaseConfig, logger: DatabaseLogger): Promise<Database> {
  const database =
    config.kind === 'embedded' ? await openEmbedded(config.dataDir) : openPostgres(config, logger);
  if (config.migrateOnStart) {
    const applied = await migrate(database, logger);
    logger.info(
      applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database schema is up to date',
    );
  }
  return database;
}

/** Applies pending migrations, first taking back any a killed run left unfinished. */
export function migrate(database: Database, logger?: DatabaseLogger): Promise<string[]> {
  return database.withMigrationLock(async (session) => {
    const interrupted = await rollBackInterrupted(session);
    if (interrupted.length > 0) {
      logger?.info(`Migrations interrupted before they finished, applied again: ${interrupted.join(', ')}`);
    }
    return withSchemaEngine(database.migrationAdapter(), applyMigrations);
  });
}

async function openEmbedded(dataDir: string): Promise<Database> {
  // `memory://` keeps everything in memory (tests, throw-away demos).
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) await mkdir(dataDir, { recursive: true });
  // Before PGlite opens it: a second process must not write the directory at all.
  const lock = inMemory ? undefined : lockDataDir(dataDir);
  const pglite = await PGlite.create(dataDir).catch((error: unknown) => {
    lock?.release();
    throw error;
  });
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
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
    migrationAdapter: () => transactionalFactory(new PrismaPGlite(pglite), () => inTransaction),
    // One process owns the data directory (see the data-dir lock), so no lock is needed here.
    withMigrationLock: (work) => work(session),
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
export function createPool(config: PostgresConfig, logger: DatabaseLogger): Pool {
  const pool = new Pool({
    connectionString: config.url,
    max: config.poolMax,
    connectionTimeoutMillis: config.acquireTimeoutMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    statement_timeout: config.statementTimeoutMs,
    application_name: 'mdn-provisioning',
  });
  // A server going away drops every idle connection at once: one line says so, not one
  // per connection. The next connection made arms it again.
  let reported = false;
  pool.on('connect', () => (reported = false));
  pool.on('error', (error) => {
    if (!reported) logger.error('PostgreSQL dropped idle pool connections', error);
    reported = true;
  });
  return pool;
}

function openPostgres(config: PostgresConfig, logger: DatabaseLogger): Database {
  const pool = createPool(config, logger);
  // An interactive transaction waits for a connection as long as any query does (Prisma's
  // own default, 2 s, would give up first: 503 under load the pool would have absorbed).
  const prisma = new PrismaClient({
    adapter: new PrismaPg(pool),
    transactionOptions: { maxWait: config.acquireTimeoutMs },
  });
  return {
    kind: 'postgres',
    prisma,
    migrationAdapter: () => new PostgresMigrationAdapter(config.url),
    withMigrationLock: (work) => withPostgresMigrationLock(config.url, work),
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
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
