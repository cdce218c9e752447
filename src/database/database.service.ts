import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { PrismaClient } from '../generated/prisma/client';
import type { Database } from './database';
import { classifyDatabaseFault, type DatabaseFault, type ProbeFailureReason } from './database-fault';

export const DATABASE = Symbol('DATABASE');

const PROBE_TIMEOUT_MS = 2_000;

/** The one way into the database for repositories; closes it on shutdown. */
@Injectable()
export class DatabaseService implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseService.name);

  constructor(@Inject(DATABASE) private readonly database: Database) {}

  get prisma(): PrismaClient {
    return this.database.prisma;
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
