import { Injectable } from '@nestjs/common';
import type { TaskKind, TaskOutcome, TaskProgress, TaskFileName } from './domain/task';
import type { ClaimedTask } from './tasks.repository';

/** What a handler may do with the task it runs: report progress, read and write its files. */
export interface TaskContext {
  task: ClaimedTask;
  progress(progress: Partial<TaskProgress>): Promise<void>;
  readFile(name: TaskFileName): AsyncGenerator<Buffer>;
  writeFile(name: TaskFileName, file: Buffer): Promise<void>;
  /** Appends the next chunk of a file written piece by piece (chunks count from 0). */
  appendChunk(name: TaskFileName, chunk: number, data: Buffer): Promise<void>;
  deleteFile(name: TaskFileName): Promise<void>;
  /** Aborted when the runner lost the task (its lease was taken over): stop at the next step. */
  signal: AbortSignal;
}

/**
 * One kind of task's work. `run` must be safe to run again from the start: a task whose
 * runner died is run again by another replica (a transaction it had not committed is
 * gone; one it had committed, `run` must find). `interrupted` answers for a task that
 * has died too often to run again.
 */
export interface TaskHandler {
  readonly kind: TaskKind;
  run(context: TaskContext): Promise<TaskOutcome>;
  interrupted(context: TaskContext): Promise<TaskOutcome>;
}

/** The handlers of every kind; the modules that own a kind register theirs at start-up. */
@Injectable()
export class TaskHandlers {
  private readonly handlers = new Map<TaskKind, TaskHandler>();

  register(handler: TaskHandler): void {
    this.handlers.set(handler.kind, handler);
  }

  of(kind: TaskKind): TaskHandler | undefined {
    return this.handlers.get(kind);
  }
}
