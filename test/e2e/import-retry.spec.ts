import { acrossOrganizations } from '../../src/database/data-scope';
import writeXlsxFile from 'write-excel-file/node';
import { DatabaseService } from '../../src/database/database.service';
import { XLSX_MIME } from '../../src/user-import/users-workbook';
import { startApiApp } from '../support/app';
import { createEmbeddedDatabase } from '../support/databases';
import { aUser } from '../support/factories';
import { TEST_TOKENS } from '../support/tokens';

/**
 * A client whose import answer was lost (the service was killed after the commit, before
 * the answer was stored or sent) retries with the same Idempotency-Key: it must get the
 * same users, not "already taken" for every row (found by killing the service in
 * crash.spec.ts).
 */
describe('an import retried with its Idempotency-Key after its answer was lost', () => {
  let api: Awaited<ReturnType<typeof startApiApp>>;

  beforeAll(async () => {
    api = await startApiApp(undefined, () => Promise.resolve(createEmbeddedDatabase()));
  });
  afterAll(() => api.stopAll());

  const upload = (body: Buffer, key: string) =>
    fetch(`${api.baseUrl}/v1/users/import`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_TOKENS.admin}`,
        'content-type': XLSX_MIME,
        'idempotency-key': key,
      },
      body,
    });

  it('gets the users the first attempt committed, in the file’s order', async () => {
    const users = [aUser(), aUser(), aUser()];
    const file = await writeXlsxFile([
      ['First Name', 'Last Name', 'Login', 'Mobile Phone number', 'Email Address', 'Network'],
      ...users.map((user) => [user.firstName, user.lastName, user.username, user.mdn, user.email, 'att']),
    ]).toBuffer();
    const first = await upload(file, 'import-1');
    expect(first.status).toBe(201);
    const answer = (await first.json()) as { imported: number; users: { id: string; username: string }[] };
    // What a killed process leaves: the import committed, its answer never stored.
    const forgotten = await acrossOrganizations('test', () =>
      api.app.get(DatabaseService).run((db) => db.idempotencyKey.deleteMany({})),
    );
    expect(forgotten.count).toBeGreaterThan(0);

    const retry = await upload(file, 'import-1');
    expect(retry.status).toBe(201);
    const again = (await retry.json()) as typeof answer;
    expect(again.imported).toBe(3);
    expect(again.users.map((user) => user.id)).toEqual(answer.users.map((user) => user.id));
    expect(again.users.map((user) => user.username)).toEqual(users.map((user) => user.username));

    // Another key is another import: those users are taken.
    expect((await upload(file, 'import-2')).status).toBe(400);
  });
});
