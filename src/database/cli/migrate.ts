/* Applies prisma/migrations to the configured database (DATABASE_URL, else the embedded one). */
import { loadConfig } from '../../config/config';
import { DEFAULT_ORGANIZATION } from '../../organizations/domain/default-organization';
import { openDatabase } from '../database';
import { runCli } from './run-cli';

runCli(async (log) => {
  const config = loadConfig();
  // Opened with migrateOnStart, the role's grants are made after the tables exist: opened
  // without it and migrated next, a first deployment warned that it could not REVOKE on
  // tables that were not there yet. openDatabase logs what it applied.
  const database = await openDatabase({ ...config.database, migrateOnStart: true }, log);
  try {
    // Rows stored before organisations existed, and the embedded default's token, belong to it.
    log.info(`Default organization: ${DEFAULT_ORGANIZATION.id} (slug "${DEFAULT_ORGANIZATION.slug}")`);
  } finally {
    await database.close();
  }
});
