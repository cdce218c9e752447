/** How a batch is written, and how many at once. */
export interface GroupCommitOptions {
  /** Batches written at the same time; a write that finds them all busy waits for the next. */
  writers: number;
  /** The most items in one batch. */
  maxBatch: number;
  /**
   * Whether a failed batch of several is written again item by item, so that an item the
   * database refuses fails alone. Not for an outage: each would only fail again.
   */
  splitOnError: (error: unknown) => boolean;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items that arrive while earlier batches are being written go together
 * in the next one, and each caller is answered when its own batch is written. Alone, an
 * item is written at once; under load, one statement and one commit serve many callers.
 * Nothing is held on a timer and nothing is answered before it is written: a caller
 * that dies waiting has been promised nothing.
 *
 * Written here because the libraries that batch (DataLoader and its kin) gather what
 * arrives within one tick, and HTTP requests arrive in ticks of their own: they would
 * batch nothing.
 */
export class GroupCommit<T, R> {
  private readonly waiting: Waiting<T, R>[] = [];
  private writing = 0;

  constructor(
    /** Writes a batch; returns one result per item, in the same order. */
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.writing < this.options.writers && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.writing++;
      void this.settle(batch).finally(() => {
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
      // One at a time: the batch keeps its writer's place, and no more than `writers` run.
      for (const waiting of batch) await this.settle([waiting]);
    }
  }
}
