import { randomUUID } from 'node:crypto';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openDatabase, type Database } from '../../src/database/database';
import { acrossOrganizations } from '../../src/database/data-scope';
import { DatabaseService } from '../../src/database/database.service';
import { forgetPrismaDebugHistory } from '../../src/database/prisma-debug-history';
import { appendBulkToOutbox } from '../../src/outbox/outbox.writer';
import { DATABASE_KINDS, type TestDatabase } from '../support/databases';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const quiet = { info: () => undefined, error: () => undefined };

const MB = 1024 * 1024;

describe.each(DATABASE_KINDS)("Prisma's debug history on %s", (_kind, create) => {
  let target: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    target = await create();
    database = await openDatabase(target.config, quiet);
  });
  afterAll(async () => {
    await database.close();
    await target.drop();
  });

  /** The heap in use once a full collection let go of all it could. */
  async function heapInUse(): Promise<number> {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    return getHeapStatistics().used_heap_size;
  }

  /** A statement with 5 MB of parameters, none of which the test keeps. */
  async function bulkStatement(): Promise<void> {
    const values = Array.from({ length: 50_000 }, (_, index) => `${index}`.padStart(100, '.'));
    const [row] = await database.prisma.$queryRaw<
      { n: number }[]
    >`SELECT cardinality(${values}::text[]) AS n`;
    expect(row.n).toBe(50_000);
  }

  it("holds a bulk statement's parameters after it ran, until they are forgotten", async () => {
    forgetPrismaDebugHistory();
    const before = await heapInUse();
    await bulkStatement();
    // Why forgetting is needed: nothing of ours holds them any more.
    expect((await heapInUse()) - before).toBeGreaterThan(MB * 4);

    forgetPrismaDebugHistory();
    expect((await heapInUse()) - before).toBeLessThan(MB);
  });

  // Every bulk path (import, sweep, inbox batches) ends in the outbox's bulk writer.
  it('is forgotten by the outbox writer after it wrote a bulk of events', async () => {
    forgetPrismaDebugHistory();
    const before = await heapInUse();
    const organizationId = randomUUID();
    await acrossOrganizations('the bulk writer, under test', () =>
      new DatabaseService(database).transaction((tx) =>
        appendBulkToOutbox(
          tx,
          Array.from({ length: 5_000 }, (_, index) => ({
            eventId: randomUUID(),
            eventType: 'test.Bulk',
            key: `${index}`,
            organizationId,
            payload: new Uint8Array(1_000).fill(index % 256),
          })),
        ),
      ),
    );
    expect((await heapInUse()) - before).toBeLessThan(MB);
  });
});
