/*
 * The staleness sweep over 1,000,000 lines on PostgreSQL, every one of them due to turn
 * ORANGE (the worst case: a million events written). Ids are time-ordered like the
 * service's UUIDv7, so the table is laid out in id order as it is in production. Baseline in the same run: one bare
 * UPDATE of the same million rows' indicator, without events.
 */
import { SystemClock } from '../src/common/clock';
import { StaleLinesRepository } from '../src/lines/persistence/stale-lines.repository';
import { SweepStaleLines } from '../src/lines/sweep/sweep-stale-lines.usecase';
import { Metrics } from '../src/metrics/metrics.service';
import { openBenchDatabase, seedStaleLines } from './database';
import { run } from './support';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);

async function main() {
  const bench = await openBenchDatabase({ SWEEP_BATCH_SIZE: process.env.SWEEP_BATCH_SIZE ?? '20000' });
  try {
    const seeded = Date.now();
    await seedStaleLines(bench.url, LINES);
    process.stdout.write(`seeded ${LINES} lines in ${((Date.now() - seeded) / 1000).toFixed(1)} s\n`);

    const bareStarted = Date.now();
    await run(
      bench.url,
      `UPDATE network_lines SET indicator = 'ORANGE'; UPDATE network_lines SET indicator = 'GREEN';`,
    );
    const bareSeconds = (Date.now() - bareStarted) / 1000 / 2;
    await run(bench.url, 'VACUUM ANALYZE network_lines');

    const sweep = new SweepStaleLines(
      new StaleLinesRepository(bench.service),
      new SystemClock(),
      bench.config.lines,
      new Metrics(),
    );
    const started = Date.now();
    const swept = await sweep.execute();
    const seconds = (Date.now() - started) / 1000;
    if (swept !== LINES) throw new Error(`swept ${swept} of ${LINES}`);
    const again = await sweep.execute();

    process.stdout.write(
      `bare UPDATE of ${LINES} indicators        ${bareSeconds.toFixed(1).padStart(6)} s\n`,
    );
    process.stdout.write(
      `sweep: ${swept} lines ORANGE + ${swept} events  ${seconds.toFixed(1).padStart(6)} s  (${(seconds / bareSeconds).toFixed(1)}x the bare UPDATE; batches of ${bench.config.lines.sweepBatchSize})\n`,
    );
    process.stdout.write(`second run: ${again} lines\n`);
  } finally {
    await bench.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
