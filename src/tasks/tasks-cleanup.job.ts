import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { PeriodicJob } from '../common/periodic-job';
import { InjectConfig } from '../config/config.module';
import type { TasksConfig } from '../config/config';
import { TasksRepository } from './tasks.repository';

const BATCH = 500;

/** Deletes tasks past TASK_RETENTION_DAYS, with their files. */
@Injectable()
export class TasksCleanupJob extends PeriodicJob {
  constructor(
    registry: SchedulerRegistry,
    @InjectConfig('tasks') config: TasksConfig,
    private readonly tasks: TasksRepository,
    private readonly clock: Clock,
  ) {
    super(registry, config.cleanupIntervalSeconds * 1000);
  }

  protected async pass(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const count = await this.tasks.deleteExpired(this.clock.now(), BATCH);
      deleted += count;
      if (count < BATCH) return deleted;
    }
  }
}
