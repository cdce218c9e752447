/*
 * The consent ledger export (exportConsentLedger, what GET /v1/consent/export streams and
 * what a background task would run) over 100,000 entries of one organisation on
 * PostgreSQL, as CSV and as JSON, into a sink that counts bytes. Baseline in the same run:
 * a bare COPY of the same rows to CSV through psql (the server's fastest path: one
 * statement, no paging, no row-level security, no hash or quoting work in Node). Prints
 * each run, and the export's ratio to the baseline. Then the export as the task that
 * GET /v1/consent/export makes above CONSENT_EXPORT_SYNC_MAX_ENTRIES: the same writer into
 * the task's result file (chunks stored in PostgreSQL), beside the same baseline.
 * BENCH_ENTRIES sets the size.
 */
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { exportConsentLedger, type ExportFormat } from '../src/consent/consent-export';
import { ConsentExporter } from '../src/consent/consent-export';
import { ExportConsentTask } from '../src/consent/consent-export.task';
import { ConsentLedgerRepository } from '../src/consent/persistence/consent-ledger.repository';
import { TaskHandlers, type TaskContext } from '../src/tasks/task-handlers';
import { TasksRepository } from '../src/tasks/tasks.repository';
import { actingForOrganization } from '../src/database/data-scope';
import { DEFAULT_ORGANIZATION } from '../src/organizations/domain/default-organization';
import { openBenchDatabase } from './database';
import { DEFAULT_ORGANIZATION_SQL, fmt, run } from './support';

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 100_000);
const PER_LINE = 20;
const RUNS = 3;

async function main() {
  const bench = await openBenchDatabase();
  try {
    const seeded = Date.now();
    await seed(bench.url);
    process.stdout.write(`seeded ${ENTRIES} entries in ${((Date.now() - seeded) / 1000).toFixed(1)} s\n`);
    const ledger = new ConsentLedgerRepository(bench.service);
    for (const format of ['csv', 'json'] as const) {
      const exports: number[] = [];
      const baselines: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        exports.push(await timeExport(ledger, format));
        baselines.push(await timeCopy(bench.url));
      }
      const ratio = median(exports) / median(baselines);
      process.stdout.write(
        `${format}: export ${exports.map(fmt).join(', ')}; bare COPY ${baselines.map(fmt).join(', ')}; ` +
          `median ratio ${ratio.toFixed(2)}x (${Math.round(ENTRIES / (median(exports) / 1000))} entries/s)\n`,
      );
    }
    const tasks = new TasksRepository(bench.service);
    const handler = new ExportConsentTask(new TaskHandlers(), new ConsentExporter(ledger));
    const runs: number[] = [];
    const baselines: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await timeTask(tasks, handler));
      baselines.push(await timeCopy(bench.url));
    }
    process.stdout.write(
      `csv as a task (result file stored): ${runs.map(fmt).join(', ')}; bare COPY ${baselines.map(fmt).join(', ')}; ` +
        `median ratio ${(median(runs) / median(baselines)).toFixed(2)}x\n`,
    );
  } finally {
    await bench.close();
  }
}

/** ENTRIES entries on ENTRIES / PER_LINE lines, as the flow writes them (texts, replies, receipts). */
async function seed(url: string): Promise<void> {
  await run(
    url,
    `INSERT INTO consent_entries (organization_id, user_id, line_id, mdn_hash, kind, source, occurred_at,
       message_text, template_version, gateway_message_id, delivery_status, reply_text, reply_reading,
       dedupe_key, prev_hash, hash)
     SELECT ${DEFAULT_ORGANIZATION_SQL}, l.id, l.id, md5(l.id::text) || md5(l.id::text),
       (ARRAY['TEXT_SENT','REPLY_RECEIVED','CONSENT_GIVEN','CONFIRMATION_SENT'])[1 + n % 4]::"ConsentEntryKind",
       (ARRAY['SYSTEM','SUBSCRIBER','SUBSCRIBER','SYSTEM'])[1 + n % 4]::"ConsentSource",
       now() - make_interval(mins => n),
       CASE WHEN n % 4 IN (0, 3) THEN 'Reply YES to allow your employer to capture messages on this line. Reply STOP to opt out.' END,
       CASE WHEN n % 4 IN (0, 3) THEN 'default-0123456789ab' END,
       CASE WHEN n % 4 IN (0, 3) THEN gen_random_uuid()::text END,
       CASE WHEN n % 4 IN (0, 3) THEN 'ACCEPTED' END,
       CASE WHEN n % 4 = 1 THEN 'YES' END, CASE WHEN n % 4 = 1 THEN 'YES' END,
       l.id::text || ':' || n, md5(n::text) || md5(n::text), md5(l.id::text || n) || md5(n::text || l.id)
     FROM generate_series(1, ${Math.ceil(ENTRIES / PER_LINE)}) AS g,
       LATERAL (SELECT ('00000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid AS id) AS l,
       generate_series(1, ${PER_LINE}) AS n
     LIMIT ${ENTRIES}`,
  );
  await run(url, 'VACUUM ANALYZE consent_entries');
}

async function timeExport(ledger: ConsentLedgerRepository, format: ExportFormat): Promise<number> {
  const sink = new CountingSink();
  const started = process.hrtime.bigint();
  const count = await actingForOrganization(DEFAULT_ORGANIZATION.id, () =>
    exportConsentLedger(ledger, {}, format, sink),
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (count !== ENTRIES) throw new Error(`exported ${count} of ${ENTRIES}`);
  return ms;
}

/** The export task's run, from a queued task to its stored result file, as a runner does it. */
async function timeTask(tasks: TasksRepository, handler: ExportConsentTask): Promise<number> {
  return actingForOrganization(DEFAULT_ORGANIZATION.id, async () => {
    const now = new Date();
    const task = await tasks.create({
      kind: 'export_consent',
      params: { format: 'csv', filter: {} },
      requestedBy: 'bench',
      now,
      expiresAt: new Date(now.getTime() + 86_400_000),
    });
    const context: TaskContext = {
      task: {
        id: task.id,
        organizationId: task.organizationId,
        kind: 'export_consent',
        params: { format: 'csv', filter: {} },
        attempts: 1,
      },
      progress: () => Promise.resolve(),
      readFile: (name) => tasks.readFile(task.id, name),
      writeFile: (name, file) => tasks.writeFile(task.id, name, file),
      appendChunk: (name, chunk, data) => tasks.appendChunk(task.id, name, chunk, data),
      deleteFile: (name) => tasks.deleteFile(task.id, name),
      signal: new AbortController().signal,
    };
    const started = process.hrtime.bigint();
    const outcome = await handler.run(context);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (outcome.result?.rows !== ENTRIES)
      throw new Error(`the task exported ${String(outcome.result?.rows)}`);
    return ms;
  });
}

/** The same rows through a bare COPY to CSV, read to the end by this process. */
function timeCopy(url: string): Promise<number> {
  const started = process.hrtime.bigint();
  const copy = `\\copy (SELECT * FROM consent_entries WHERE organization_id = ${DEFAULT_ORGANIZATION_SQL} ORDER BY id) TO STDOUT WITH CSV HEADER`;
  return new Promise((resolve, reject) => {
    const psql = spawn('psql', [url, '-q', '-c', copy], { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    psql.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    psql.on('error', reject);
    psql.on('close', (code) => {
      if (code !== 0 || bytes === 0) reject(new Error(`psql exited ${code}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

class CountingSink extends Writable {
  bytes = 0;
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.bytes += chunk.length;
    done();
  }
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
