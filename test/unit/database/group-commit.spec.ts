import { AsyncLocalStorage } from 'node:async_hooks';
import fc from 'fast-check';
import { GroupCommit, type GroupCommitOptions } from '../../../src/database/group-commit';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A writer that records its batches and how many ran at once, and fails items the test names. */
function recordingWriter(failing: Set<number> = new Set(), outage = false) {
  const batches: number[][] = [];
  let running = 0;
  let mostAtOnce = 0;
  const write = async (items: number[]) => {
    batches.push(items);
    mostAtOnce = Math.max(mostAtOnce, ++running);
    await tick();
    running--;
    if (outage) throw new Error('database unreachable');
    if (items.some((item) => failing.has(item))) throw new Error('refused');
    return items.map((item) => item * 10);
  };
  return { write, batches, mostAtOnce: () => mostAtOnce };
}

const busy = () => new Error('busy');
const options = (overrides: Partial<GroupCommitOptions> = {}): GroupCommitOptions => ({
  writers: 1,
  maxBatch: 100,
  maxWaiting: 1_000,
  maxWaitMs: 60_000,
  busy,
  splitOnError: () => true,
  ...overrides,
});

describe('group commit', () => {
  it('answers each caller with its own result, in batches of at most maxBatch, at most `writers` at once, in arrival order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 50 }),
        async (count, writers, maxBatch) => {
          const writer = recordingWriter();
          const commit = new GroupCommit(writer.write, options({ writers, maxBatch }));
          const items = Array.from({ length: count }, (_, i) => i);
          expect(await Promise.all(items.map((item) => commit.add(item)))).toEqual(items.map((i) => i * 10));
          expect(writer.batches.flat()).toEqual(items);
          expect(Math.max(...writer.batches.map((batch) => batch.length))).toBeLessThanOrEqual(maxBatch);
          expect(writer.mostAtOnce()).toBeLessThanOrEqual(writers);
        },
      ),
    );
  });

  it('writes an item alone at once, and gathers what arrives while the writers are busy', async () => {
    const writer = recordingWriter();
    const commit = new GroupCommit(writer.write, options());
    await Promise.all(Array.from({ length: 6 }, (_, i) => commit.add(i)));
    expect(writer.batches).toEqual([[0], [1, 2, 3, 4, 5]]);
  });

  it('fails only the items the database refuses, when told to split, in halves and one writer at a time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.nat(29), { maxLength: 10 }), async (refused) => {
        const writer = recordingWriter(new Set(refused));
        const commit = new GroupCommit(writer.write, options());
        const settled = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => commit.add(i)));
        settled.forEach((outcome, i) =>
          expect(outcome).toEqual(
            refused.includes(i)
              ? { status: 'rejected', reason: new Error('refused') }
              : { status: 'fulfilled', value: i * 10 },
          ),
        );
        expect(writer.mostAtOnce()).toBe(1);
        // Halving: one refused item among 29 costs about 2 log2(29) statements, not 29.
        if (refused.length === 1) expect(writer.batches.length).toBeLessThanOrEqual(1 + 1 + 2 * 5);
      }),
    );
  });

  it('fails the whole batch at once in an outage, without writing parts of it again', async () => {
    const writer = recordingWriter(new Set(), true);
    const commit = new GroupCommit(writer.write, options({ splitOnError: () => false }));
    const settled = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => commit.add(i)));
    expect(settled.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(writer.batches).toEqual([[0], [1, 2, 3, 4]]);
  });

  it('refuses an item at once past maxWaiting, and one that waited maxWaitMs for a hung writer', async () => {
    let release!: () => void;
    const hung = new Promise<void>((resolve) => (release = resolve));
    const write = async (items: number[]) => {
      await hung;
      return items;
    };
    const commit = new GroupCommit(write, options({ maxWaiting: 3, maxWaitMs: 50 }));
    const writing = commit.add(0); // taken by the writer, which hangs
    const waiting = [1, 2, 3].map((item) => commit.add(item));
    await expect(commit.add(4)).rejects.toThrow('busy');
    for (const each of waiting) await expect(each).rejects.toThrow('busy');
    release();
    await expect(writing).resolves.toBe(0);
    // The queue is free again: the next item is written.
    await expect(commit.add(5)).resolves.toBe(5);
  });

  it('writes in its own context, not in that of the caller that started the batch', async () => {
    const request = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    const commit = new GroupCommit(async (items: number[]) => {
      seen.push(request.getStore());
      await tick();
      return items;
    }, options());
    await request.run('request 1', () => Promise.all([commit.add(1), commit.add(2)]));
    expect(seen).toEqual([undefined, undefined]);
  });
});
