import { acrossOrganizations } from '../../src/database/data-scope';
import writeXlsxFile from 'write-excel-file/node';
import { DatabaseService } from '../../src/database/database.service';
import { startApiApp } from '../support/app';
import { createEmbeddedDatabase } from '../support/databases';
import { aUser } from '../support/factories';
import { finishedTask, uploadImport, type TaskBody } from '../support/tasks';

/**
 * A client whose import answer was lost (the service was killed after the task was
 * queued, before the answer was stored or sent) retries with the same Idempotency-Key:
 * it must get the same task, not a second import whose every row is "already taken"
 * (found by killing the service in crash.spec.ts).
 */
describe('an import retried with its Idempotency-Key after its answer was lost', () => {
  let api: Awaited<ReturnType<typeof startApiApp>>;

  beforeAll(async () => {
    api = await startApiApp(undefined, () => Promise.resolve(createEmbeddedDatabase()));
  });
  afterAll(() => api.stopAll());

  it('gets the task the first attempt queued, with the users it imported', async () => {
    const users = [aUser(), aUser(), aUser()];
    const file = await writeXlsxFile([
      ['First Name', 'Last Name', 'Login', 'Mobile Phone number', 'Email Address', 'Network'],
      ...users.map((user) => [user.firstName, user.lastName, user.username, user.mdn, user.email, 'att']),
    ]).toBuffer();
    const first = await uploadImport(api.baseUrl, file, { idempotencyKey: 'import-1' });
    expect(first.status).toBe(202);
    const queued = (await first.json()) as TaskBody;
    expect((await finishedTask(api.baseUrl, queued.id)).result).toMatchObject({ imported: 3 });
    // What a killed process leaves: the task queued, its answer never stored.
    const forgotten = await acrossOrganizations('test', () =>
      api.app.get(DatabaseService).run((db) => db.idempotencyKey.deleteMany({})),
    );
    expect(forgotten.count).toBeGreaterThan(0);

    const retry = await uploadImport(api.baseUrl, file, { idempotencyKey: 'import-1' });
    expect(retry.status).toBe(202);
    const again = (await retry.json()) as TaskBody;
    expect(again.id).toBe(queued.id);
    expect(again).toMatchObject({ state: 'SUCCEEDED', result: { imported: 3 } });

    // The same key with another file is refused, even with the answer gone.
    await acrossOrganizations('test', () =>
      api.app.get(DatabaseService).run((db) => db.idempotencyKey.deleteMany({})),
    );
    const other = await writeXlsxFile([['First Name'], ['Ada']]).toBuffer();
    expect((await uploadImport(api.baseUrl, other, { idempotencyKey: 'import-1' })).status).toBe(422);

    // Another key is another import: those users are taken.
    const second = await uploadImport(api.baseUrl, file, { idempotencyKey: 'import-2' });
    const task = await finishedTask(api.baseUrl, ((await second.json()) as TaskBody).id);
    expect(task).toMatchObject({ state: 'FAILED', error: '3 of 3 rows have errors; no user was imported' });
  });
});
