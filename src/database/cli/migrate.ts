/* Applies prisma/migrations to the configured database (DATABASE_URL, else the embedded one). */
import { loadConfig } from '../../config/config';
import { DEFAULT_ORGANIZATION } from '../../organizations/domain/default-organization';
import { migrate, openDatabase } from '../database';
import { runCli } from './run-cli';

runCli(async (log) => {
  const config = loadConfig();
  const database = await openDatabase({ ...config.database, migrateOnStart: false }, log);
  try {
    const applied = await migrate(database, log);
    log.info(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations');
    // Rows stored before organisations existed, and the embedded default's token, belong to it.
    log.info(`Default organization: ${DEFAULT_ORGANIZATION.id} (slug "${DEFAULT_ORGANIZATION.slug}")`);
  } finally {
    await database.close();
  }
});
