/* Applies prisma/migrations to the configured database (DATABASE_URL, else the embedded one). */
import { loadConfig } from '../../config/config';
import { migrate, openDatabase } from '../database';
import { runCli } from './run-cli';

runCli(async (log) => {
  const config = loadConfig();
  const database = await openDatabase({ ...config.database, migrateOnStart: false }, log);
  try {
    const applied = await migrate(database, log);
    log.info(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations');
  } finally {
    await database.close();
  }
});
