import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { PeriodicJob } from '../common/periodic-job';
import { InjectConfig } from '../config/config.module';
import type { TasksConfig } from '../config/config';
import { actingForOrganization } from '../database/data-scope';
import { MAX_TASK_ATTEMPTS, expiresAt, mayRunAgain, type TaskOutcome } from './domain/task';
import { TaskHandlers, type TaskContext } from './task-handlers';
import { TasksRepository, type ClaimedTask } from './tasks.repository';

/**
 * Runs queued tasks, one at a time per replica, on any replica: each claims a task with a
 * lease and renews it while it works. A replica that dies (SIGKILL, out of memory) stops
 * renewing; once the lease lapses another replica claims the task and runs it again from
 * the start (handlers are written for that), up to MAX_TASK_ATTEMPTS times.
 */
@Injectable()
export class TaskRunner extends PeriodicJob {
  /** This process, as the owner of the tasks it runs. */
  readonly owner = randomUUID();
  private busy = false;

  constructor(
    registry: SchedulerRegistry,
    @InjectConfig('tasks') private readonly config: TasksConfig,
    private readonly tasks: TasksRepository,
    private readonly handlers: TaskHandlers,
    private readonly clock: Clock,
  ) {
    super(registry, config.pollMs);
  }

  /** A task was just queued here: start at once rather than at the next poll. */
  wake(): void {
    void this.run().catch((error: unknown) => this.logger.warn({ err: error }, 'Task pass failed'));
  }

  override async run(): Promise<number> {
    if (this.busy) return 0;
    this.busy = true;
    try {
      return await super.run();
    } finally {
      this.busy = false;
    }
  }

  protected async pass(): Promise<number> {
    let handled = 0;
    for (;;) {
      const task = await this.tasks.claim(this.owner, this.clock.now(), this.config.leaseMs);
      if (!task) return handled;
      await actingForOrganization(task.organizationId, () => this.runOne(task));
      handled += 1;
    }
  }

  private async runOne(task: ClaimedTask): Promise<void> {
    const aborted = new AbortController();
    const renewal = setInterval(() => {
      const until = new Date(this.clock.now().getTime() + this.config.leaseMs);
      void this.tasks.renew(task.id, this.owner, until).then(
        (held) => held || aborted.abort(),
        () => undefined,
      );
    }, this.config.leaseMs / 3);
    renewal.unref();
    const context = this.contextOf(task, aborted.signal);
    let outcome: TaskOutcome;
    try {
      const handler = this.handlers.of(task.kind);
      if (!handler) outcome = { state: 'FAILED', error: `no handler for tasks of kind ${task.kind}` };
      else if (!mayRunAgain(task.attempts)) outcome = await handler.interrupted(context);
      else outcome = await handler.run(context);
    } catch (error) {
      this.logger.error({ err: error, taskId: task.id }, 'Task failed');
      // An outage or a bug, not the input: the task stays claimed and is run again once
      // its lease lapses, unless it has run out of attempts.
      if (mayRunAgain(task.attempts + 1)) {
        clearInterval(renewal);
        return;
      }
      outcome = { state: 'FAILED', error: `the task failed ${MAX_TASK_ATTEMPTS} times; see the service log` };
    } finally {
      clearInterval(renewal);
    }
    const now = this.clock.now();
    const finished = await this.tasks.finish(
      task.id,
      this.owner,
      outcome,
      now,
      expiresAt(now, this.config.retentionDays),
    );
    if (!finished) this.logger.warn({ taskId: task.id }, 'Task was taken over before it finished here');
  }

  private contextOf(task: ClaimedTask, signal: AbortSignal): TaskContext {
    return {
      task,
      signal,
      progress: (progress) => this.tasks.progress(task.id, this.owner, progress),
      readFile: (name) => this.tasks.readFile(task.id, name),
      writeFile: (name, file) => this.tasks.writeFile(task.id, name, file),
      appendChunk: (name, chunk, data) => this.tasks.appendChunk(task.id, name, chunk, data),
      deleteFile: (name) => this.tasks.deleteFile(task.id, name),
    };
  }
}
