import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { Pool, type PoolConfig } from 'pg';
import { parse } from 'pg-connection-string';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { AppConfig } from '../config/config';
import { PrismaClient } from '../generated/prisma/client';
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
  close(): Promise<void>;
}

export async function openDatabase(config: DatabaseConfig, logger: DatabaseLogger): Promise<Database> {
  const database =
    config.kind === 'embedded' ? await openEmbedded(config.dataDir) : openPostgres(config, logger);
  if (config.migrateOnStart) {
    const applied = await migrate(database);
    logger.info(
      applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database schema is up to date',
    );
  }
  return database;
}

export function migrate(database: Database): Promise<string[]> {
  return withSchemaEngine(database.migrationAdapter(), applyMigrations);
}

async function openEmbedded(dataDir: string): Promise<Database> {
  // `memory://` keeps everything in memory (tests, throw-away demos).
  if (!dataDir.startsWith('memory://')) await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    kind: 'embedded',
    prisma,
    migrationAdapter: () => new PrismaPGlite(pglite),
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
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

  connect(): Promise<SqlDriverAdapter> {
    return new PrismaPg(connectionParts(this.url)).connect();
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const admin = await this.connect();
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
