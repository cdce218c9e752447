import { randomBytes } from 'node:crypto';
import { acrossOrganizations, actingForOrganization } from '../../src/database/data-scope';
import { DEFAULT_ORGANIZATION } from '../../src/organizations/domain/default-organization';
import { DatabaseService } from '../../src/database/database.service';
import { TaskRunner } from '../../src/tasks/task-runner.job';
import { FILE_CHUNK_BYTES, TasksRepository } from '../../src/tasks/tasks.repository';
import { TasksCleanupJob } from '../../src/tasks/tasks-cleanup.job';
import { startApiApp } from '../support/app';
import { ManualClock } from '../support/clock';
import { DATABASE_KINDS } from '../support/databases';
import { aUser } from '../support/factories';
import { finishedTask, importAndWait, taskFile, uploadImport, type TaskBody } from '../support/tasks';

const HEADER = 'First Name,Last Name,Login,Mobile Phone number,Email Address,Network';

function csvOf(count: number): string {
  const rows = Array.from({ length: count }, () => {
    const user = aUser();
    return [user.firstName, user.lastName, user.username, user.mdn, user.email, 'att'].join(',');
  });
  return [HEADER, ...rows].join('\n');
}

describe.each(DATABASE_KINDS)('the Task Center on %s', (_kind, createDatabase) => {
  let api: Awaited<ReturnType<typeof startApiApp>>;
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    api = await startApiApp(clock, async () => createDatabase());
  });
  afterAll(() => api.stopAll());

  const sql = (query: string) =>
    acrossOrganizations('test', () => api.app.get(DatabaseService).run((db) => db.$executeRawUnsafe(query)));

  it('describes every new route with its response in OpenAPI', async () => {
    type Operation = { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
    const document = (await (await fetch(`${api.baseUrl}/docs-json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const schemaOf = (path: string, method: string, status: string) =>
      Object.values(document.paths[path][method].responses[status].content ?? {})[0]?.schema;
    expect(schemaOf('/v1/tasks', 'get', '200')).toEqual({ $ref: '#/components/schemas/TaskPageDto' });
    expect(schemaOf('/v1/tasks/{id}', 'get', '200')).toEqual({ $ref: '#/components/schemas/TaskDto' });
    expect(schemaOf('/v1/users/import', 'post', '202')).toEqual({ $ref: '#/components/schemas/TaskDto' });
    expect(schemaOf('/v1/users/export', 'get', '202')).toEqual({ $ref: '#/components/schemas/TaskDto' });
    for (const path of ['/v1/tasks/{id}/errors', '/v1/tasks/{id}/result', '/v1/users/export']) {
      expect(schemaOf(path, 'get', '200')).toMatchObject({ type: 'string', format: 'binary' });
    }
    expect(Object.keys(document.components.schemas.TaskDto.properties)).toEqual(
      expect.arrayContaining(['state', 'progress', 'result', 'error', 'startedAt', 'finishedAt', 'links']),
    );
  });

  it('lists the organisation’s tasks newest first, page by page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await importAndWait(api.baseUrl, csvOf(1), { type: 'text/csv' })).task.id);
    const first = (await api.admin.get('/v1/tasks?limit=2')).body as {
      items: TaskBody[];
      nextCursor: string;
    };
    expect(first.items.map((task) => task.id)).toEqual([ids[2], ids[1]]);
    const second = (await api.admin.get(`/v1/tasks?limit=2&cursor=${first.nextCursor}`)).body as {
      items: TaskBody[];
    };
    expect(second.items[0].id).toBe(ids[0]);
    expect((await api.admin.get('/v1/tasks?limit=0')).status).toBe(400);
  });

  it('deletes a task and its files TASK_RETENTION_DAYS after it finished', async () => {
    const { task } = await importAndWait(api.baseUrl, `${HEADER}\nAda,L,ada.bad,12,x,att`, {
      type: 'text/csv',
    });
    expect(task.state).toBe('FAILED');
    expect((await taskFile(api.baseUrl, task.id, 'errors')).status).toBe(200);
    clock.advanceDays(29);
    await api.app.get(TasksCleanupJob).run();
    expect((await api.admin.get(`/v1/tasks/${task.id}`)).status).toBe(200);
    clock.advanceDays(2);
    expect(await api.app.get(TasksCleanupJob).run()).toBeGreaterThan(0);
    expect((await api.admin.get(`/v1/tasks/${task.id}`)).status).toBe(404);
    expect((await taskFile(api.baseUrl, task.id, 'errors')).status).toBe(404);
    const [{ files }] = await acrossOrganizations('test', () =>
      api.app
        .get(DatabaseService)
        .run((db) =>
          db.$queryRawUnsafe<{ files: number }[]>(
            `SELECT count(*)::int AS files FROM task_files WHERE task_id = '${task.id}'`,
          ),
        ),
    );
    expect(files).toBe(0);
  });

  it('fails an import clearly when its runner died too often, importing nothing', async () => {
    // What three runners killed mid-run leave: the task running, its lease lapsed, taken three times.
    const response = await uploadImport(api.baseUrl, csvOf(2), { type: 'text/csv' });
    const { id } = (await response.json()) as TaskBody;
    await finishedTask(api.baseUrl, id);
    const users = (await api.admin.get('/v1/users?limit=500')).body as { items: unknown[] };
    const again = await uploadImport(api.baseUrl, csvOf(2), { type: 'text/csv' });
    const dead = ((await again.json()) as TaskBody).id;
    await finishedTask(api.baseUrl, dead);
    await sql(
      `UPDATE tasks SET state = 'RUNNING', attempts = 3, owner = 'dead', lease_until = now() - interval '1 hour',
         result = NULL, finished_at = NULL WHERE id = '${dead}'`,
    );
    await sql(`UPDATE users SET idempotency_key = NULL WHERE idempotency_key LIKE 'task:${dead}#%'`);
    await api.app.get(TaskRunner).run();
    const task = await finishedTask(api.baseUrl, dead);
    expect(task).toMatchObject({
      state: 'FAILED',
      attempts: 4,
      error: 'the import stopped 3 times before it finished (its runner died); no user was imported',
    });
    // Its users were unmarked above, as if never committed: nothing more was imported.
    expect(((await api.admin.get('/v1/users?limit=500')).body as { items: unknown[] }).items).toHaveLength(
      users.items.length + 2,
    );
  });

  it('reads a stored file back byte for byte, whatever its size against the chunks and slices', async () => {
    const tasks = api.app.get(TasksRepository);
    // Stored in 1 MB chunks and read back in slices of 48 KiB: sizes on and around both.
    for (const size of [0, 1, 48 * 1024, 48 * 1024 + 1, FILE_CHUNK_BYTES, 2 * FILE_CHUNK_BYTES + 7]) {
      const file = randomBytes(size);
      const read = await actingForOrganization(DEFAULT_ORGANIZATION.id, async () => {
        const task = await tasks.create({
          kind: 'import_users',
          params: {},
          requestedBy: 'test',
          now: new Date(),
          expiresAt: new Date(Date.now() + 60_000),
          upload: file,
        });
        const chunks: Buffer[] = [];
        for await (const chunk of tasks.readFile(task.id, 'upload')) chunks.push(chunk);
        return Buffer.concat(chunks);
      });
      expect([size, read.equals(file)]).toEqual([size, true]);
    }
  });

  it('finishes a task whose runner died after the commit as done, not twice', async () => {
    const response = await uploadImport(api.baseUrl, csvOf(3), { type: 'text/csv' });
    const { id } = (await response.json()) as TaskBody;
    await finishedTask(api.baseUrl, id);
    const before = (await api.admin.get('/v1/users?limit=500')).body as { items: unknown[] };
    // The runner committed the users and died before it recorded the outcome.
    await sql(
      `UPDATE tasks SET state = 'RUNNING', owner = 'dead', lease_until = now() - interval '1 hour',
         result = NULL, finished_at = NULL WHERE id = '${id}'`,
    );
    await api.app.get(TaskRunner).run();
    const task = await finishedTask(api.baseUrl, id);
    expect(task).toMatchObject({ state: 'SUCCEEDED', attempts: 2, result: { imported: 3 } });
    expect(((await api.admin.get('/v1/users?limit=500')).body as { items: unknown[] }).items).toHaveLength(
      before.items.length,
    );
  });
});
