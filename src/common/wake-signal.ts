/**
 * An in-process wake-up: raised after a request commits work for a background job, heard by
 * the job, which then starts a pass at once. Only a shortcut: the job's poll finds the same
 * work if a signal is lost (or raised on another replica). Each job has its own subclass,
 * so each is its own provider.
 */
export class WakeSignal {
  private readonly listeners: (() => void)[] = [];

  subscribe(listener: () => void): void {
    this.listeners.push(listener);
  }

  raise(): void {
    for (const listener of this.listeners) listener();
  }
}
