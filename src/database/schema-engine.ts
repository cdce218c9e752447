import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';

/** The same code runs from src/ (tests) and dist/src/ (build): find prisma/ by walking up. */
function findPrismaDir(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'prisma', 'schema.prisma'))) return join(dir, 'prisma');
  }
  throw new Error(`prisma/schema.prisma not found above ${from}`);
}

export const PRISMA_DIR = findPrismaDir(__dirname);
export const MIGRATIONS_DIR = join(PRISMA_DIR, 'migrations');
export const SCHEMA_PATH = join(PRISMA_DIR, 'schema.prisma');

type SchemaEngineModule = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');
let engineModule: Promise<SchemaEngineModule> | undefined;

/** @types/node does not declare the WebAssembly global; this is the part used here. */
interface WasmApi {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, unknown>,
  ): Promise<{ instance: { exports: { __wbindgen_start(): void } } }>;
}
const wasmApi = () => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * The package's main entry imports its .wasm file as an ES module, which Node does not
 * load, so the wasm is instantiated here and handed to the bindings.
 */
function loadEngineModule(): Promise<SchemaEngineModule> {
  engineModule ??= (async () => {
    const bindings = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmPath = require
      .resolve('@prisma/schema-engine-wasm/schema_engine_bg')
      .replace(/schema_engine_bg\.js$/, 'schema_engine_bg.wasm');
    const { instance } = await wasmApi().instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': withTrackedTimers(bindings),
    });
    bindings.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
    return bindings;
  })();
  return engineModule;
}

/**
 * The engine sleeps through JS timers it never clears (its lock-wait timeouts): once it
 * is done they would hold the process open for seconds. They are kept here and cleared
 * when no engine is running.
 */
const engineTimers = new Set<ReturnType<typeof setTimeout>>();
let enginesRunning = 0;

function withTrackedTimers(bindings: SchemaEngineModule): Record<string, unknown> {
  const imports: Record<string, unknown> = { ...bindings };
  for (const name of Object.keys(imports).filter((key) => key.startsWith('__wbg_setTimeout_'))) {
    imports[name] = (callback: () => void, delay: number) => {
      const timer = setTimeout(() => {
        engineTimers.delete(timer);
        callback();
      }, delay >>> 0);
      engineTimers.add(timer);
      return timer;
    };
  }
  return imports;
}

function clearIdleEngineTimers(): void {
  if (enginesRunning > 0) return;
  for (const timer of engineTimers) clearTimeout(timer);
  engineTimers.clear();
}

/**
 * Runs `work` with a schema engine over the adapter, then frees the engine and closes
 * every connection it opened: freeing the engine alone leaves them open, still holding
 * Prisma's migration advisory lock, so the next migration would wait 10 s for it.
 */
export async function withSchemaEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  work: (engine: SchemaEngine) => Promise<T>,
  log: (message: string) => void = () => undefined,
): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  const opened: SqlDriverAdapter[] = [];
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: async () => remember(await adapterFactory.connect()),
    connectToShadowDb: async () => remember(await adapterFactory.connectToShadowDb()),
  };
  const remember = (adapter: SqlDriverAdapter) => {
    opened.push(adapter);
    return adapter;
  };
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  enginesRunning += 1;
  try {
    const engine = await SchemaEngine.new(
      { datamodels: [[SCHEMA_PATH, schema]] },
      log,
      bindMigrationAwareSqlAdapterFactory(tracked),
    );
    try {
      return await work(engine);
    } finally {
      engine.free();
    }
  } finally {
    enginesRunning -= 1;
    await Promise.allSettled(opened.map((adapter) => adapter.dispose()));
    clearIdleEngineTimers();
  }
}

export async function readMigrations(): Promise<MigrationList> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  const directories = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const lockPath = join(MIGRATIONS_DIR, 'migration_lock.toml');
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: {
      path: 'migration_lock.toml',
      content: await readFile(lockPath, 'utf8').catch(() => null),
    },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      directories.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: await readFile(join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8')
            .then((value) => ({ tag: 'ok' as const, value }))
            .catch((error: Error) => ({ tag: 'error' as const, value: error.message })),
        },
      })),
    ),
  };
}

const NO_FILTERS = { externalTables: [], externalEnums: [] };

/** Applies pending migrations; returns the names of those it applied. */
export async function applyMigrations(engine: SchemaEngine): Promise<string[]> {
  const result = await engine.applyMigrations({
    migrationsList: await readMigrations(),
    filters: NO_FILTERS,
  });
  return result.appliedMigrationNames;
}

/** SQL that takes `from` to `to`; empty when they agree. */
export async function diffSql(
  engine: SchemaEngine,
  from: 'empty' | 'migrations',
  to: 'schema' | 'migrations',
): Promise<string> {
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  const target = async (which: 'empty' | 'migrations' | 'schema') =>
    which === 'empty'
      ? { tag: 'empty' as const }
      : which === 'migrations'
        ? { tag: 'migrations' as const, ...(await readMigrations()) }
        : { tag: 'schemaDatamodel' as const, files: [{ path: SCHEMA_PATH, content: schema }] };
  const result = await engine.diff({
    from: await target(from),
    to: await target(to),
    script: true,
    exitCode: null,
    filters: NO_FILTERS,
  });
  const sql = (result.stdout ?? '').trim();
  return sql === '-- This is an empty migration.' ? '' : sql;
}
