import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './process';

const run = promisify(execFile);
/** initdb and pg_ctl refuse to run as root; as root they run as this user instead. */
const SERVER_USER = 'postgres';

export type StopMode = 'smart' | 'fast' | 'immediate';

/**
 * A PostgreSQL server of the test's own, in a temporary directory on a free port, that
 * the test can stop and start again: the shared server on 5432 must never be stopped.
 */
export interface PrivatePostgres {
  /** The `postgres` database as superuser; the server trusts local connections. */
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  stop(mode?: StopMode): Promise<void>;
  /** Kills the postmaster and its backends with SIGKILL, as a crashed host would. */
  kill(): Promise<void>;
  /** Stops the server if it runs and removes its directory. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = serverBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'mdn-pg-'));
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? await lookupIds(SERVER_USER) : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const pgdata = join(dir, 'data');
  const port = await freePort();
  const command = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', SERVER_USER, '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  // --no-sync and fsync=off: a throw-away server need not survive a power cut.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const pgCtl = (args: string[]) => command('pg_ctl', ['-D', pgdata, ...args]);
  const server: PrivatePostgres = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: async () => {
      const log = join(dir, 'server.log');
      await pgCtl(['start', '-w', '-t', '30', '-l', log, '-o', options]).catch(async (error: Error) => {
        const tail = (await readFile(log, 'utf8').catch(() => '')).split('\n').slice(-10).join('\n');
        throw new Error(`${error.message}\n${tail}`, { cause: error });
      });
    },
    stop: async (mode = 'fast') => {
      await pgCtl(['stop', '-w', '-t', '30', '-m', mode]);
    },
    kill: async () => {
      const pid = await postmasterPid(pgdata);
      if (pid === undefined) return;
      // Backends outlive a killed postmaster and would hold its shared memory, so that
      // the next start fails: they go too.
      const children = await childPids(pid);
      for (const each of [pid, ...children]) process.kill(each, 'SIGKILL');
      for (const each of [pid, ...children]) await waitUntilGone(each);
      // In a container nobody may reap the dead postmaster, and PostgreSQL takes the zombie
      // for a live server: its lock files go, as a reboot would clear them.
      for (const lock of [join(pgdata, 'postmaster.pid'), join(dir, `.s.PGSQL.${port}.lock`)])
        rmSync(lock, { force: true });
    },
    destroy: async () => {
      await pgCtl(['stop', '-w', '-m', 'immediate']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await command('initdb', ['-D', pgdata, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    await server.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return server;
}

/** Debian's layout (the one .ci/run starts with pg_ctlcluster): the newest major version. */
function serverBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions
    .map((version) => join(root, version, 'bin'))
    .find((bin) => existsSync(join(bin, 'initdb')));
  if (!found) throw new Error(`no PostgreSQL server binaries (initdb) under ${root}`);
  return found;
}

async function lookupIds(user: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function postmasterPid(pgdata: string): Promise<number | undefined> {
  const text = await readFile(join(pgdata, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = Number(text?.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function childPids(pid: number): Promise<number[]> {
  const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(pid)]).catch(() => ({ stdout: '' }));
  return stdout
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((child) => Number.isInteger(child) && child > 0);
}

/** Gone, or a zombie: in a container nobody may reap it, but it holds nothing. */
async function waitUntilGone(pid: number): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`process ${pid} is still running`);
}
