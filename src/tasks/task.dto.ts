import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { TASK_KINDS, type TaskKind, type TaskState } from './domain/task';
import type { StoredTask } from './tasks.repository';

export class TaskProgressDto {
  @ApiProperty({ description: 'Rows read from the input so far' }) rowsRead!: number;
  @ApiProperty({ description: 'Rows checked' }) rowsChecked!: number;
  @ApiProperty({ description: 'Rows imported (an import) or written (an export)' }) rowsDone!: number;
}

export class TaskLinksDto {
  @ApiProperty() self!: string;
  @ApiPropertyOptional({
    description: 'The errors file (the upload with an Errors column), when there is one',
  })
  errors?: string;
  @ApiPropertyOptional({ description: "An export's file, once it succeeded" })
  result?: string;
}

export class TaskDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: TASK_KINDS }) kind!: TaskKind;
  @ApiProperty({ enum: ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'] }) state!: TaskState;
  @ApiProperty({ description: 'What was asked: the import file and dry run, the export filters and format' })
  params!: Record<string, unknown>;
  @ApiProperty({ type: TaskProgressDto }) progress!: TaskProgressDto;
  @ApiProperty({ nullable: true, description: 'How it ended: counts, and what was imported or exported' })
  result!: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why it failed' }) error!: string | null;
  @ApiProperty({ description: 'Times a runner took it up (more than one: a runner died)' }) attempts!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty({ format: 'date-time', description: 'When it and its files are deleted' }) expiresAt!: string;
  @ApiProperty({ type: TaskLinksDto }) links!: TaskLinksDto;
}

export class TaskPageDto {
  @ApiProperty({ type: [TaskDto] }) items!: TaskDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as cursor for the next page; null at the end',
  })
  nextCursor!: string | null;
}

export class ListTasksQuery {
  @ApiPropertyOptional({ description: 'nextCursor from the previous page', format: 'uuid' })
  @IsOptional()
  @IsUUID()
  cursor?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export function presentTask(task: StoredTask): TaskDto {
  const self = `/v1/tasks/${task.id}`;
  const result = (task.result ?? null) as Record<string, unknown> | null;
  return {
    id: task.id,
    kind: task.kind as TaskKind,
    state: task.state,
    params: task.params as Record<string, unknown>,
    progress: { rowsRead: task.rowsRead, rowsChecked: task.rowsChecked, rowsDone: task.rowsDone },
    result,
    error: task.error,
    attempts: task.attempts,
    createdAt: task.createdAt.toISOString(),
    startedAt: task.startedAt?.toISOString() ?? null,
    finishedAt: task.finishedAt?.toISOString() ?? null,
    expiresAt: task.expiresAt.toISOString(),
    links: {
      self,
      ...(result?.errorsFile ? { errors: `${self}/errors` } : {}),
      ...(result?.resultFile && task.state === 'SUCCEEDED' ? { result: `${self}/result` } : {}),
    },
  };
}
