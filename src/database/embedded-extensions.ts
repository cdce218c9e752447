import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';

/**
 * The contrib extensions the migrations create (`CREATE EXTENSION IF NOT EXISTS`), which
 * PGlite must load before it can: pg_trgm backs the users' text search. Every PGlite the
 * project opens (the embedded database, the shadow database of db:check and
 * db:migration, tests) opens through here.
 */
export const EMBEDDED_EXTENSIONS = { pg_trgm } as const;

export function createPGlite(dataDir?: string, options: PGliteOptions = {}): Promise<PGlite> {
  return PGlite.create(dataDir, {
    ...options,
    extensions: { ...EMBEDDED_EXTENSIONS, ...options.extensions },
  });
}

/**
 * The Prisma adapter factory over `pglite`, whose shadow database (where the schema
 * engine replays the migrations to diff them) loads the same extensions: the adapter's
 * own shadow is a bare PGlite, on which `CREATE EXTENSION pg_trgm` fails.
 */
export function pgliteAdapterFactory(pglite: PGlite): SqlMigrationAwareDriverAdapterFactory {
  const factory = new PrismaPGlite(pglite);
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => factory.connect(),
    connectToShadowDb: async () => {
      const shadow = await createPGlite();
      const adapter = await new PrismaPGlite(shadow).connect();
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await shadow.close();
      };
      return adapter;
    },
  };
}
