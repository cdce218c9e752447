import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { PrismaClient } from '../generated/prisma/client';
import type { Database } from './database';

export const DATABASE = Symbol('DATABASE');

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

  private closed?: Promise<void>;

  onApplicationShutdown(): Promise<void> {
    this.closed ??= this.database.close().then(() => this.logger.log('Database closed'));
    return this.closed;
  }
}
