/*
 * Fails when prisma/schema.prisma and prisma/migrations disagree. The migrations are
 * replayed into an in-memory PGlite shadow database, so no server is needed.
 */
import { createPGlite, pgliteAdapterFactory } from '../embedded-extensions';
import { diffSql, withSchemaEngine } from '../schema-engine';
import { runCli } from './run-cli';

runCli(async (log) => {
  const pglite = await createPGlite();
  try {
    const drift = await withSchemaEngine(pgliteAdapterFactory(pglite), (engine) =>
      diffSql(engine, 'migrations', 'schema'),
    );
    if (drift) {
      log.error(`schema.prisma has changes that no migration holds. Add a migration with:\n\n${drift}\n`);
      process.exitCode = 1;
    } else {
      log.info('schema.prisma and prisma/migrations agree');
    }
  } finally {
    await pglite.close();
  }
});
