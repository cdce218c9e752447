import { Injectable } from '@nestjs/common';

/**
 * "Something was asked of a line": raised after a request commits an intent, heard by
 * the reconciler, which then starts a pass at once. Only a shortcut: the reconciler's
 * poll finds the same work if a signal is lost (or raised on another replica).
 */
@Injectable()
export class ReconcileSignal {
  private readonly listeners: (() => void)[] = [];

  subscribe(listener: () => void): void {
    this.listeners.push(listener);
  }

  raise(): void {
    for (const listener of this.listeners) listener();
  }
}
