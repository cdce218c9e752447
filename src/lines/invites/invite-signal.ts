import { Injectable } from '@nestjs/common';

/**
 * "An invite was recorded": heard by the invite sender, which then sends at once. Only a
 * shortcut, as ReconcileSignal is: the sender's poll finds the invite anyway.
 */
@Injectable()
export class InviteSignal {
  private readonly listeners: (() => void)[] = [];

  subscribe(listener: () => void): void {
    this.listeners.push(listener);
  }

  raise(): void {
    for (const listener of this.listeners) listener();
  }
}
