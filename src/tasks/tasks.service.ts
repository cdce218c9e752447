import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { NotFoundError } from '../common/errors/domain-error';
import { InjectConfig } from '../config/config.module';
import type { TasksConfig } from '../config/config';
import { IdempotencyKeyReusedError } from '../idempotency/idempotency.errors';
import { KEY_TTL_MS } from '../idempotency/idempotent.decorator';
import type { RequestIdempotency } from '../idempotency/request-idempotency';
import { expiresAt, type TaskFileName, type TaskKind } from './domain/task';
import { TaskRunner } from './task-runner.job';
import { TasksRepository, type StoredTask } from './tasks.repository';

/** What other modules ask of the Task Center: queue a task, find one, read its files. */
@Injectable()
export class Tasks {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly runner: TaskRunner,
    private readonly clock: Clock,
    @InjectConfig('tasks') private readonly config: TasksConfig,
  ) {}

  /**
   * Queues a task of the caller's organisation; this replica starts on it at once if idle.
   * A request with an Idempotency-Key gets the task it queued before, if it did (its
   * answer may have been lost before the key store kept it); the same key with another
   * body is refused.
   */
  async enqueue(
    kind: TaskKind,
    params: Record<string, unknown>,
    requestedBy: string,
    options: { upload?: Buffer; idempotency?: RequestIdempotency } = {},
  ) {
    const now = this.clock.now();
    const { upload, idempotency } = options;
    if (idempotency) {
      const earlier = await this.tasks.findByRequestKey(
        idempotency.key,
        new Date(now.getTime() - KEY_TTL_MS),
      );
      if (earlier && earlier.requestFingerprint !== idempotency.fingerprint)
        throw new IdempotencyKeyReusedError();
      if (earlier) return earlier;
    }
    const task = await this.tasks.create({
      kind,
      params,
      requestedBy,
      requestKey: idempotency?.key,
      requestFingerprint: idempotency?.fingerprint,
      now,
      expiresAt: expiresAt(now, this.config.retentionDays),
      upload,
    });
    this.runner.wake();
    return task;
  }

  /** The organisation's task, or 404 (another organisation's is unknown here). */
  async findOrFail(id: string): Promise<StoredTask> {
    const task = await this.tasks.find(id);
    if (!task) throw new NotFoundError(`Task ${id} not found`);
    return task;
  }

  list(limit: number, cursor?: string): Promise<StoredTask[]> {
    return this.tasks.list(limit, cursor);
  }

  /** A task's stored file, chunk by chunk; 404 when it has none of that name. */
  async fileOrFail(id: string, name: TaskFileName): Promise<AsyncGenerator<Buffer>> {
    await this.findOrFail(id);
    if (!(await this.tasks.hasFile(id, name))) throw new NotFoundError(`Task ${id} has no ${name} file`);
    return this.tasks.readFile(id, name);
  }
}
