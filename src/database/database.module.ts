import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Database } from './database';
import { DatabaseOutage } from './database-outage';
import { DATABASE, DatabaseService } from './database.service';

@Global()
@Module({})
export class DatabaseModule {
  /** The database is opened (and migrated) in main.ts before Nest starts, so a failure stops start-up. */
  static forRoot(database: Database): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [{ provide: DATABASE, useValue: database }, DatabaseService, DatabaseOutage],
      exports: [DatabaseService, DatabaseOutage],
    };
  }
}
