import { Writable } from 'node:stream';
import type { TaskFileName } from './domain/task';
import type { TaskContext } from './task-handlers';
import { FILE_CHUNK_BYTES } from './tasks.repository';

/**
 * A Writable into one of a task's files: what an exporter that writes to any stream (the
 * HTTP answer, a file) writes to when it runs as a task. Bytes gather into chunks of
 * FILE_CHUNK_BYTES, each appended to the file as it fills; a slow database slows the
 * writer (a write's callback waits for its chunk). `bytes` is the file's size once finished.
 */
export class TaskFileSink extends Writable {
  bytes = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private chunk = 0;

  constructor(
    private readonly context: Pick<TaskContext, 'appendChunk' | 'signal'>,
    private readonly name: TaskFileName,
  ) {
    super();
  }

  override _write(data: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes < FILE_CHUNK_BYTES) return callback();
    this.flush().then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    // An empty file is one empty chunk: the file exists, and reads back as nothing.
    if (this.pendingBytes === 0 && this.chunk > 0) return callback();
    this.flush().then(() => callback(), callback);
  }

  private async flush(): Promise<void> {
    if (this.context.signal.aborted) throw new Error('the task was taken over by another runner');
    const data = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    await this.context.appendChunk(this.name, this.chunk++, data);
    this.bytes += data.length;
  }
}
