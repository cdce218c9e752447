import { AsyncResource } from 'node:async_hooks';

/** How a batch is written, how many at once, and how long callers may wait for one. */
export interface GroupCommitOptions {
  /** Batches written at the same time; an item that finds them all busy waits for the next. */
  writers: number;
  /** The most items in one batch. */
  maxBatch: number;
  /** The most items waiting for a writer; one more is refused at once (`busy`). */
  maxWaiting: number;
  /**
   * How long an item may wait for a writer before it is refused (`busy`): a database that
   * hangs holds the writers, and must not hold every caller behind them too.
   */
  maxWaitMs: number;
  /** The error a caller refused for either reason gets. */
  busy: () => Error;
  /**
   * Whether a failed batch is written again in halves, so that an item the database
   * refuses fails alone (log2 of the batch more statements). Not for a timeout or an
   * outage: each half would only fail again.
   */
  splitOnError: (error: unknown) => boolean;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * Group commit: items that arrive while every writer is busy go together in the next
 * batch, and each caller is answered when its own batch is written. Alone, an item is
 * written at once; under load, one statement and one commit serve many callers. Nothing
 * is held on a timer and nothing is answered before it is written: a caller that dies
 * waiting has been promised nothing.
 *
 * Written here because the libraries that batch (DataLoader and its kin) gather what
 * arrives within one tick, and HTTP requests arrive in ticks of their own: they would
 * batch nothing.
 */
export class GroupCommit<T, R> {
  private readonly waiting: Waiting<T, R>[] = [];
  private writing = 0;
  /**
   * Batches run in the context this was made in, not in that of the request that happened
   * to start them: several requests share a batch, none owns it.
   */
  private readonly context = new AsyncResource('GroupCommit');

  constructor(
    /** Writes a batch; returns one result per item, in the same order. */
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  add(item: T): Promise<R> {
    if (this.waiting.length >= this.options.maxWaiting) return Promise.reject(this.options.busy());
    return new Promise<R>((resolve, reject) => {
      const waiting: Waiting<T, R> = {
        item,
        resolve,
        reject,
        timer: setTimeout(() => this.giveUp(waiting), this.options.maxWaitMs).unref(),
      };
      this.waiting.push(waiting);
      this.next();
    });
  }

  private giveUp(waiting: Waiting<T, R>): void {
    const at = this.waiting.indexOf(waiting);
    if (at < 0) return;
    this.waiting.splice(at, 1);
    waiting.reject(this.options.busy());
  }

  private next(): void {
    while (this.writing < this.options.writers && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      for (const { timer } of batch) clearTimeout(timer);
      this.writing++;
      void this.context
        .runInAsyncScope(() => this.settle(batch))
        .finally(() => {
          this.writing--;
          this.next();
        });
    }
  }

  private async settle(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.write(batch.map(({ item }) => item));
      batch.forEach((waiting, i) => waiting.resolve(results[i]));
    } catch (error) {
      if (batch.length === 1 || !this.options.splitOnError(error)) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      // One half after the other: the batch keeps its writer, and no more than `writers` run.
      const half = Math.ceil(batch.length / 2);
      await this.settle(batch.slice(0, half));
      await this.settle(batch.slice(half));
    }
  }
}
