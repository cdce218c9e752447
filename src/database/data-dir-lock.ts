import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

/**
 * The embedded database belongs to one process: PGlite keeps no lock of its own, and two
 * processes writing one data directory corrupt it. The lock is a file beside the
 * directory (PGlite wants the directory to itself) naming the holder's pid and host.
 */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: string,
  ) {
    super(
      `The embedded database ${dataDir} is in use by ${holder}. Stop that process, or give this ` +
        `one another DATA_DIR. (If no such process runs, delete ${lockPathOf(dataDir)}.)`,
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
}

export const lockPathOf = (dataDir: string) => `${resolve(dataDir)}.lock`;

/** Takes the directory's lock, or throws DataDirLockedError naming the live process that has it. */
export function lockDataDir(dataDir: string): DataDirLock {
  const path = lockPathOf(dataDir);
  const me: Holder = { pid: process.pid, host: hostname() };
  // Twice at most: a stale lock is removed once, then created afresh.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(path, me)) return { release: () => releaseIfMine(path, me) };
    const text = readOrUndefined(path);
    if (text === undefined) continue; // released meanwhile
    const holder = parseHolder(text);
    if (holder && isAlive(holder, me)) {
      throw new DataDirLockedError(resolve(dataDir), `process ${holder.pid} on ${holder.host}`);
    }
    // Its holder is gone (killed, or the machine restarted): the lock is taken over. Only
    // the file as it was read goes: one another starter wrote meanwhile stays.
    if (readOrUndefined(path) === text) unlinkSync(path);
  }
  throw new DataDirLockedError(resolve(dataDir), 'another process starting at the same moment');
}

/**
 * Written aside, then linked into place: `link` fails if the lock exists (the atomic
 * test-and-set) and a reader never sees a lock file without its holder in it.
 */
function tryCreate(path: string, me: Holder): boolean {
  const draft = `${path}.${me.pid}.tmp`;
  writeFileSync(draft, `${JSON.stringify(me)}\n`);
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(draft);
  }
}

/**
 * Alive unless shown dead. Another host's process cannot be checked from here, so it
 * counts as alive; our own pid is a lock left by an earlier life of this container.
 */
function isAlive(holder: Holder, me: Holder): boolean {
  if (holder.host !== me.host) return true;
  if (holder.pid === me.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(holder.pid);
}

/**
 * A killed process nobody reaped (a container without an init) still answers signal 0,
 * but it holds no files: Linux shows it as state Z. Elsewhere there is no /proc to ask.
 */
function isZombie(pid: number): boolean {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

function parseHolder(text: string): Holder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<Holder>;
    return Number.isInteger(parsed.pid) && typeof parsed.host === 'string'
      ? { pid: parsed.pid!, host: parsed.host }
      : undefined;
  } catch {
    return undefined; // not written by this code: nobody holds it in a form we can check
  }
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function releaseIfMine(path: string, me: Holder): void {
  const holder = parseHolder(readOrUndefined(path) ?? '');
  if (holder?.pid === me.pid && holder.host === me.host) unlinkSync(path);
}
