/*
 * The staleness sweep on PostgreSQL, beside a bare UPDATE of the same rows in the same run:
 * 1. BENCH_LINES lines (1,000,000), every one due to turn ORANGE (the worst case: as many
 *    events written); baseline: one bare UPDATE of the same rows' indicator, no events,
 *    timed alone;
 * 2. the cost as the table grows with the due count fixed: BENCH_DUE (100,000) lines due in
 *    tables of BENCH_SERIES lines (1, 5 and 10 million); baseline at each size: a bare
 *    UPDATE of the same due rows, found by id. The sweep's time should follow the due
 *    lines, not the table (a flat curve).
 * Ids are time-ordered like the service's UUIDv7, so the table is laid out as in production.
 */
import { SystemClock } from '../src/common/clock';
import { StaleLinesRepository } from '../src/lines/persistence/stale-lines.repository';
import { SweepStaleLines } from '../src/lines/sweep/sweep-stale-lines.usecase';
import { Metrics } from '../src/metrics/metrics.service';
import { openBenchDatabase, seedLines, seedStaleLines, type BenchDatabase } from './database';
import { run } from './support';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const DUE = Number(process.env.BENCH_DUE ?? 100_000);
const SERIES = (process.env.BENCH_SERIES ?? '1000000,5000000,10000000').split(',').map(Number);

async function main() {
  await allDue();
  await series();
}

async function allDue(): Promise<void> {
  const bench = await openBenchDatabase(batchSize());
  try {
    const seeded = Date.now();
    await seedStaleLines(bench.url, LINES);
    out(`1. all due: seeded ${LINES} lines in ${seconds(seeded).toFixed(1)} s`);
    await settle(bench.url);
    // One UPDATE timed alone, as in the series. Before, two ran in one statement (ORANGE,
    // then GREEN) and half their time was taken: the second rewrites rows the same
    // transaction had just written, and the half came out longer than one UPDATE alone.
    const bareStarted = Date.now();
    await run(bench.url, `UPDATE network_lines SET indicator = 'ORANGE'`);
    const bare = seconds(bareStarted);
    await run(bench.url, `UPDATE network_lines SET indicator = 'GREEN'`);
    await settle(bench.url);
    const started = Date.now();
    const swept = await sweepOf(bench).execute();
    const took = seconds(started);
    if (swept !== LINES) throw new Error(`swept ${swept} of ${LINES}`);
    const again = await sweepOf(bench).execute();
    out(`   bare UPDATE of ${LINES} indicators          ${bare.toFixed(1).padStart(6)} s`);
    out(
      `   sweep: ${swept} lines ORANGE + their events ${took.toFixed(1).padStart(6)} s  (${(took / bare).toFixed(2)}x the bare UPDATE, goal <= 2x; batches of ${bench.config.lines.sweepBatchSize}); a second run: ${again}`,
    );
  } finally {
    await bench.close();
  }
}

/**
 * Before each timed part: the tables vacuumed and analysed, and a checkpoint, so that
 * neither side pays for the writes of what came before it (a checkpoint falling inside
 * one of them made the ratio swing by half between runs). The users too: the millions just
 * seeded pass autovacuum's insert threshold, and its VACUUM of them could fall inside
 * one side.
 */
async function settle(url: string): Promise<void> {
  await run(url, 'VACUUM ANALYZE network_lines, users');
  await run(url, 'CHECKPOINT');
}

async function series(): Promise<void> {
  const bench = await openBenchDatabase(batchSize());
  try {
    out(`2. ${DUE} due as the table grows`);
    let size = 0;
    for (const target of SERIES) {
      const seeded = Date.now();
      await seedLines(bench.url, { from: size + 1, to: target, dueUpTo: DUE });
      size = target;
      await settle(bench.url);
      // The bare UPDATE of the same rows, found by id, then the rows made due again.
      const bareStarted = Date.now();
      await run(bench.url, `UPDATE network_lines SET indicator = 'ORANGE' WHERE id <= ${lineId(DUE)}`);
      const bare = seconds(bareStarted);
      await run(bench.url, `UPDATE network_lines SET indicator = 'GREEN' WHERE id <= ${lineId(DUE)}`);
      await settle(bench.url);
      const started = Date.now();
      const swept = await sweepOf(bench).execute();
      const took = seconds(started);
      if (swept !== DUE) throw new Error(`swept ${swept} of ${DUE}`);
      await run(bench.url, `UPDATE network_lines SET indicator = 'GREEN' WHERE id <= ${lineId(DUE)}`);
      out(
        `   ${String(size).padStart(9)} lines (seeded in ${seconds(seeded).toFixed(0)} s): sweep ${took.toFixed(2).padStart(6)} s, bare UPDATE of the ${DUE} ${bare.toFixed(2).padStart(6)} s, ${(took / bare).toFixed(2)}x`,
      );
    }
  } finally {
    await bench.close();
  }
}

/** The service's default batch size, unless SWEEP_BATCH_SIZE asks for another. */
function batchSize(): NodeJS.ProcessEnv {
  return process.env.SWEEP_BATCH_SIZE ? { SWEEP_BATCH_SIZE: process.env.SWEEP_BATCH_SIZE } : {};
}

function sweepOf(bench: BenchDatabase): SweepStaleLines {
  return new SweepStaleLines(
    new StaleLinesRepository(bench.service),
    new SystemClock(),
    bench.config.lines,
    new Metrics(),
  );
}

/** The id seedLines gives line `i`, quoted for SQL. */
const lineId = (i: number) => `'00000001-0000-7000-8000-${i.toString(16).padStart(12, '0')}'::uuid`;
const seconds = (since: number) => (Date.now() - since) / 1000;
const out = (line: string) => process.stdout.write(`${line}\n`);

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
