/*
 * Writes what schema.prisma has and prisma/migrations lack as a new migration:
 *   npm run db:migration -- add_something
 * (The native `prisma migrate dev` needs an engine download; this uses the wasm engine
 * and an in-memory PGlite shadow database.)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPGlite, pgliteAdapterFactory } from '../embedded-extensions';
import { diffSql, MIGRATIONS_DIR, withSchemaEngine } from '../schema-engine';
import { runCli } from './run-cli';

runCli(async (log) => {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9_]+$/.test(name))
    throw new Error('Give the migration a name: lower-case letters, digits, _');
  const pglite = await createPGlite();
  try {
    const sql = await withSchemaEngine(pgliteAdapterFactory(pglite), (engine) =>
      diffSql(engine, 'migrations', 'schema'),
    );
    if (!sql) return log.info('Nothing to migrate: schema.prisma and prisma/migrations agree');
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const folder = join(MIGRATIONS_DIR, `${stamp}_${name}`);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'migration.sql'), `${sql}\n`);
    log.info(`Wrote ${folder}/migration.sql`);
  } finally {
    await pglite.close();
  }
});
