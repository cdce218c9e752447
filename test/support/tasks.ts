import { XLSX_MIME } from '../../src/user-import/upload-format';
import { eventually } from './eventually';
import { TEST_TOKENS } from './tokens';

/** A task as GET /v1/tasks/:id answers it. */
export interface TaskBody {
  id: string;
  kind: string;
  state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  params: Record<string, unknown>;
  progress: { rowsRead: number; rowsChecked: number; rowsDone: number };
  result: Record<string, unknown> | null;
  error: string | null;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  expiresAt: string;
  links: { self: string; errors?: string; result?: string };
}

export interface UploadOptions {
  role?: keyof typeof TEST_TOKENS;
  type?: string;
  query?: string;
  idempotencyKey?: string;
}

/** POST /v1/users/import with a raw body. */
export function uploadImport(
  baseUrl: string,
  body: Buffer | string,
  options: UploadOptions = {},
): Promise<Response> {
  return fetch(`${baseUrl}/v1/users/import${options.query ?? ''}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TEST_TOKENS[options.role ?? 'admin']}`,
      'content-type': options.type ?? XLSX_MIME,
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
    },
    body,
  });
}

function fetchTask(baseUrl: string, id: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${baseUrl}/v1/tasks/${id}`, {
    headers: { authorization: `Bearer ${TEST_TOKENS.member}` },
    signal,
  });
}

export async function getTask(baseUrl: string, id: string, signal?: AbortSignal): Promise<TaskBody> {
  const response = await fetchTask(baseUrl, id, signal);
  if (response.status !== 200) throw new Error(`GET /v1/tasks/${id}: ${response.status}`);
  return (await response.json()) as TaskBody;
}

/** Waits until the task has finished (succeeded or failed) and returns it. */
export function finishedTask(baseUrl: string, id: string, timeoutMs = 30_000): Promise<TaskBody> {
  return eventually(async () => {
    const response = await fetchTask(baseUrl, id);
    // 503 says "try again later", as a polling client would: on the embedded database's one
    // connection, a slow CI run had a task's own transaction outlast the wait for it.
    if (response.status === 503) return undefined;
    if (response.status !== 200) throw new Error(`GET /v1/tasks/${id}: ${response.status}`);
    const task = (await response.json()) as TaskBody;
    return task.state === 'SUCCEEDED' || task.state === 'FAILED' ? task : undefined;
  }, timeoutMs);
}

/** Uploads a file, expects 202 with a task, and waits for it to finish. */
export async function importAndWait(baseUrl: string, body: Buffer | string, options: UploadOptions = {}) {
  const response = await uploadImport(baseUrl, body, options);
  if (response.status !== 202)
    throw new Error(`import answered ${response.status}: ${await response.text()}`);
  const accepted = (await response.json()) as TaskBody;
  return {
    accepted,
    location: response.headers.get('location'),
    task: await finishedTask(baseUrl, accepted.id),
  };
}

/** A task file (errors or result) as bytes. */
export async function taskFile(baseUrl: string, id: string, name: 'errors' | 'result') {
  const response = await fetch(`${baseUrl}/v1/tasks/${id}/${name}`, {
    headers: { authorization: `Bearer ${TEST_TOKENS.member}` },
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: Buffer.from(await response.arrayBuffer()),
  };
}
