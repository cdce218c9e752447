import fc from 'fast-check';
import { GroupCommit } from '../../../src/database/group-commit';

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

describe('group commit', () => {
  it('answers each caller with its own result, in batches of at most maxBatch, at most `writers` at once, in arrival order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 50 }),
        async (count, writers, maxBatch) => {
          const writer = recordingWriter();
          const commit = new GroupCommit(writer.write, { writers, maxBatch, splitOnError: () => true });
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
    const commit = new GroupCommit(writer.write, { writers: 1, maxBatch: 100, splitOnError: () => true });
    const answers = Array.from({ length: 6 }, (_, i) => commit.add(i));
    await Promise.all(answers);
    expect(writer.batches).toEqual([[0], [1, 2, 3, 4, 5]]);
  });

  it('fails only the items the database refuses, when told to split', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.nat(29), { maxLength: 10 }), async (refused) => {
        const writer = recordingWriter(new Set(refused));
        const commit = new GroupCommit(writer.write, { writers: 1, maxBatch: 100, splitOnError: () => true });
        const settled = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => commit.add(i)));
        settled.forEach((outcome, i) =>
          expect(outcome).toEqual(
            refused.includes(i)
              ? { status: 'rejected', reason: new Error('refused') }
              : { status: 'fulfilled', value: i * 10 },
          ),
        );
        expect(writer.mostAtOnce()).toBe(1);
      }),
    );
  });

  it('fails the whole batch at once in an outage, without writing each again', async () => {
    const writer = recordingWriter(new Set(), true);
    const commit = new GroupCommit(writer.write, { writers: 1, maxBatch: 100, splitOnError: () => false });
    const settled = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => commit.add(i)));
    expect(settled.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(writer.batches).toEqual([[0], [1, 2, 3, 4]]);
  });
});
