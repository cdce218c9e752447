/*
 * The count behind the lines-per-network gauges (LineGaugesJob) over 1,000,000 lines on
 * PostgreSQL, seeded as the sweep bench seeds them: EXPLAIN ANALYZE of the very statement
 * the job runs, three times, with no user deleted and then with one in ten deleted (their
 * lines are taken off through the users' status index). Baseline in the same run: the
 * same count joining every line to its user, the obvious way to leave deleted users out.
 */
import { acrossOrganizations } from '../src/database/data-scope';
import { Prisma } from '../src/generated/prisma/client';
import { lineCountsSql, LineCountsRepository } from '../src/lines/persistence/line-counts.repository';
import { openBenchDatabase, seedStaleLines, type BenchDatabase } from './database';
import { run } from './support';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const RUNS = 3;

async function main() {
  const bench = await openBenchDatabase();
  try {
    const seeded = Date.now();
    await seedStaleLines(bench.url, LINES);
    await run(bench.url, 'VACUUM ANALYZE network_lines');
    process.stdout.write(`seeded ${LINES} lines in ${((Date.now() - seeded) / 1000).toFixed(1)} s\n`);
    const staleAfterDays = bench.config.lines.staleAfterDays;
    // The gauges' job counts every organisation's lines, and so does this.
    const counts = await acrossOrganizations('bench', () =>
      new LineCountsRepository(bench.service).count(new Date(), staleAfterDays),
    );
    const total = counts.reduce((sum, row) => sum + row.lines, 0);
    if (total !== LINES) throw new Error(`counted ${total} of ${LINES} lines`);

    await explainRuns(bench, 'gauge count, no user deleted', lineCountsSql(new Date(), staleAfterDays));
    await run(bench.url, `UPDATE users SET status = 'DELETED' WHERE right(username, 1) = '0'`);
    await run(bench.url, 'VACUUM ANALYZE users');
    await explainRuns(bench, 'gauge count, 1 in 10 users deleted', lineCountsSql(new Date(), staleAfterDays));
    await explainRuns(
      bench,
      'baseline: joined to users',
      Prisma.sql`SELECT l.network, l.status, count(*) FROM network_lines l JOIN users u ON u.id = l.user_id
        WHERE u.status <> 'DELETED'::"UserStatus" GROUP BY 1, 2`,
    );
  } finally {
    await bench.close();
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) `RUNS` times: each run's execution time, and the plan's scans once. */
async function explainRuns(bench: BenchDatabase, name: string, query: Prisma.Sql): Promise<void> {
  const times: string[] = [];
  let scans: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const plan = await acrossOrganizations('bench', () =>
      bench.service.run((db) =>
        db.$queryRaw<{ 'QUERY PLAN': string }[]>(Prisma.sql`EXPLAIN (ANALYZE, BUFFERS) ${query}`),
      ),
    );
    const lines = plan.map((row) => row['QUERY PLAN']);
    times.push(/Execution Time: ([\d.]+) ms/.exec(lines.join('\n'))![1]);
    scans = lines
      .filter((line) => /Scan|Heap Fetches/.test(line))
      .map((line) => line.trim().replace(/ {2}\(cost.*$/, ''));
  }
  process.stdout.write(`${name.padEnd(36)} ${times.map((ms) => `${ms} ms`).join(', ')}\n`);
  for (const scan of scans) process.stdout.write(`    ${scan}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
