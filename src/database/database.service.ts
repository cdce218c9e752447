import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Prisma } from '../generated/prisma/client';
import type { Database } from './database';
import {
  classifyDatabaseFault,
  DriverQueryError,
  type DatabaseFault,
  type ProbeFailureReason,
} from './database-fault';
import { SYSTEM_ROLE } from './application-role';
import { currentScope, type DataScope } from './data-scope';

/** A transaction that acts for one scope: what repositories query through. */
export type Db = Prisma.TransactionClient;

/** A transaction's statements as SQL text with $1, $2… parameters, whichever driver runs them. */
export interface SqlTransaction {
  /** A statement whose rows are wanted. */
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** A statement run for its effect (Prisma cannot read a `void` column back). */
  execute(sql: string, params?: unknown[]): Promise<void>;
}

export interface RunOptions {
  /** How long the transaction may run (default: 30 s, the statement timeout's default). */
  timeout?: number;
  /** How long to wait for a connection (default: the pool's acquire timeout). */
  maxWait?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Code reached the database with no scope: a programming error, never an answer to a caller. */
export class NoDataScopeError extends Error {
  constructor() {
    super('A database query ran outside any data scope (see src/database/data-scope.ts)');
  }
}

export const DATABASE = Symbol('DATABASE');

const PROBE_TIMEOUT_MS = 2_000;

/** The one way into the database for repositories; closes it on shutdown. */
@Injectable()
export class DatabaseService implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseService.name);

  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /**
   * Runs one query (or a few that need not be atomic) for the current data scope. For
   * one organisation that is a transaction that first says whom it acts for: row-level
   * security then shows it that organisation's rows only. Work across organisations on
   * PostgreSQL goes to the pool whose sessions say so once (no transaction around each
   * statement: the hot paths, the reconciler and the webhooks, are such work). No scope,
   * no query.
   */
  run<T>(work: (db: Db) => Promise<T>): Promise<T> {
    const scope = currentScope();
    if (!scope) return Promise.reject(new NoDataScopeError());
    const system = this.database.acrossOrganizations;
    if (scope.kind === 'all-organizations' && system) return work(system);
    return this.scopedTransaction(scope, work, {});
  }

  /**
   * One statement across organisations, sent by `pg` itself on PostgreSQL: Prisma's
   * adapter costs about 100 µs of CPU a statement beyond pg's, which is a third of what
   * the webhook intake spends on a delivery. Elsewhere (the embedded database) it goes
   * through `run`. Returns the rows the statement returns.
   */
  async queryAcrossOrganizations<Row>(sql: string, params: unknown[]): Promise<Row[]> {
    const pool = this.acrossOrganizationsPool();
    if (!pool) return this.run((db) => db.$queryRawUnsafe<Row[]>(sql, ...params));
    try {
      return (await pool.query(sql, params)).rows as Row[];
    } catch (error) {
      throw new DriverQueryError(error);
    }
  }

  /**
   * Runs `work` atomically across organisations, its statements sent by `pg` itself on
   * PostgreSQL, for the reason queryAcrossOrganizations gives: the staleness sweep sends a
   * hundred thousand lines a run through it, and Prisma's adapter was a quarter of its
   * process's CPU. Each statement is bounded by the pool's statement timeout. Elsewhere
   * (the embedded database) it is a Prisma transaction with `options`.
   */
  async transactionAcrossOrganizations<T>(
    work: (sql: SqlTransaction) => Promise<T>,
    options: RunOptions = {},
  ): Promise<T> {
    const pool = this.acrossOrganizationsPool();
    if (!pool) {
      return this.transaction(
        (tx) =>
          work({
            query: <Row>(sql: string, params: unknown[] = []) => tx.$queryRawUnsafe<Row[]>(sql, ...params),
            execute: async (sql, params = []) => void (await tx.$executeRawUnsafe(sql, ...params)),
          }),
        options,
      );
    }
    const client = await pool.connect().catch((error: unknown) => {
      throw new DriverQueryError(error);
    });
    const query = async <Row>(sql: string, params: unknown[] = []): Promise<Row[]> => {
      try {
        return (await client.query(sql, params)).rows as Row[];
      } catch (error) {
        throw new DriverQueryError(error);
      }
    };
    // A connection whose ROLLBACK failed is in no known state: it is closed, not pooled (one
    // that was lost, the pool drops by itself).
    let broken: Error | undefined;
    try {
      await query('BEGIN');
      const result = await work({ query, execute: async (sql, params) => void (await query(sql, params)) });
      await query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Runs `work` atomically, for the current data scope (as `run`). */
  transaction<T>(work: (db: Db) => Promise<T>, options: RunOptions = {}): Promise<T> {
    const scope = currentScope();
    if (!scope) return Promise.reject(new NoDataScopeError());
    const system = this.database.acrossOrganizations;
    if (scope.kind === 'all-organizations' && system) {
      return system.$transaction(work, {
        timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
        ...maxWait(options),
      });
    }
    return this.scopedTransaction(scope, work, options);
  }

  private scopedTransaction<T>(scope: DataScope, work: (db: Db) => Promise<T>, options: RunOptions) {
    return this.database.prisma.$transaction(
      async (tx) => {
        await actFor(tx, scope);
        return work(tx);
      },
      { timeout: options.timeout ?? DEFAULT_TIMEOUT_MS, ...maxWait(options) },
    );
  }

  /** PostgreSQL's pool that acts across organisations; undefined on the embedded database. */
  private acrossOrganizationsPool(): Pool | undefined {
    const scope = currentScope();
    if (!scope) throw new NoDataScopeError();
    // The pool acts across organisations: one organisation's work must not reach it.
    if (scope.kind !== 'all-organizations')
      throw new Error('A statement across organisations in one organisation’s scope');
    return this.database.acrossOrganizationsPool;
  }

  get kind(): Database['kind'] {
    return this.database.kind;
  }

  async ping(): Promise<void> {
    await this.database.prisma.$queryRaw`SELECT 1`;
  }

  /**
   * Pings with a time limit and says why it failed, if it did; undefined when the
   * database answered. A hung ping is left to finish on its own (the pool's timeouts end it).
   */
  async probe(timeoutMs = PROBE_TIMEOUT_MS): Promise<DatabaseFault<ProbeFailureReason> | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<DatabaseFault<ProbeFailureReason>>((resolve) => {
      timer = setTimeout(
        () => resolve({ reason: 'no_answer', detail: `no answer within ${timeoutMs} ms` }),
        timeoutMs,
      );
    });
    const ping = this.ping().then(
      () => undefined,
      (error: unknown) =>
        classifyDatabaseFault(error) ?? { reason: 'failing' as const, detail: String(error) },
    );
    return Promise.race([ping, timeout]).finally(() => clearTimeout(timer));
  }

  private closed?: Promise<void>;

  onApplicationShutdown(): Promise<void> {
    this.closed ??= this.database.close().then(() => this.logger.log('Database closed'));
    return this.closed;
  }
}

function maxWait(options: RunOptions): { maxWait?: number } {
  return options.maxWait ? { maxWait: options.maxWait } : {};
}

/**
 * Says whom the transaction acts for, local to it (a pooled connection keeps nothing):
 * one organisation's id, which the application role's policies compare with; or, on the
 * embedded database's single session, the role whose policy shows every organisation.
 */
async function actFor(tx: Db, scope: DataScope): Promise<void> {
  if (scope.kind === 'all-organizations') {
    await tx.$executeRawUnsafe(`SET LOCAL ROLE ${SYSTEM_ROLE}`);
    return;
  }
  await tx.$queryRaw`SELECT set_config('app.organization_id', ${scope.organizationId}, true)`;
}
