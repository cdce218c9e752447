/** The kinds of background work the Task Center shows. */
export const TASK_KINDS = ['import_users', 'export_users', 'export_consent'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export type TaskState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** A task's stored files: the upload it works on, the errors file it may leave, an export's result. */
export type TaskFileName = 'upload' | 'errors' | 'result';

/** Rows a task has read from its input, checked, and imported (or exported). */
export interface TaskProgress {
  rowsRead: number;
  rowsChecked: number;
  rowsDone: number;
}

/** How a task's run ended; the runner records it. */
export type TaskOutcome =
  | { state: 'SUCCEEDED'; result: Record<string, unknown> }
  | { state: 'FAILED'; error: string; result?: Record<string, unknown> };

/**
 * A task interrupted this many times (its runner died each time: killed, out of memory)
 * fails for good instead of being taken over again: a file that kills its runner must
 * not kill every replica in turn.
 */
export const MAX_TASK_ATTEMPTS = 3;

/** Whether a claimed task may run again, or has been interrupted too often. */
export function mayRunAgain(attempts: number): boolean {
  return attempts <= MAX_TASK_ATTEMPTS;
}

/** When a task finished (or was asked) this long ago, it and its files are deleted. */
export function expiresAt(from: Date, retentionDays: number): Date {
  return new Date(from.getTime() + retentionDays * 86_400_000);
}
