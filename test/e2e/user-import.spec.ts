import { readSheet } from 'read-excel-file/node';
import writeXlsxFile from 'write-excel-file/node';
import { IMPORT_COLUMNS } from '../../src/user-import/import-columns';
import { XLSX_MIME } from '../../src/user-import/users-workbook';
import { startApiApp } from '../support/app';
import { DATABASE_KINDS } from '../support/databases';
import { eventually } from '../support/eventually';
import { aMobileNumber, aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';
import { finishedTask, importAndWait, taskFile, uploadImport, type TaskBody } from '../support/tasks';
import { TEST_TOKENS } from '../support/tokens';

const HEADER = [
  'First Name',
  'Last Name',
  'Login',
  'Password',
  'Mobile Phone number',
  'Email Address',
  'Network',
];

/** An import file built here: the header row, then one row per user. */
function workbook(rows: (string | number | null)[][], header = HEADER): Promise<Buffer> {
  return writeXlsxFile([header, ...rows]).toBuffer();
}

function aRow(overrides: Partial<Record<'login' | 'mdn' | 'email' | 'network', string>> = {}) {
  const user = aUser();
  return [
    user.firstName,
    user.lastName,
    overrides.login ?? user.username,
    'not-kept-password',
    overrides.mdn ?? user.mdn,
    overrides.email ?? user.email,
    overrides.network ?? 'att',
  ];
}

describe.each(DATABASE_KINDS)('user import as a task on %s', (_kind, createDatabase) => {
  let api: Awaited<ReturnType<typeof startApiApp>>;

  beforeAll(async () => {
    api = await startApiApp(undefined, async () => createDatabase());
  });
  afterAll(() => api.stopAll());

  const upload = (body: Buffer | string, options: Parameters<typeof uploadImport>[2] = {}) =>
    uploadImport(api.baseUrl, body, options);
  const importFile = (body: Buffer | string, options: Parameters<typeof uploadImport>[2] = {}) =>
    importAndWait(api.baseUrl, body, options);
  const userCount = async () => {
    const summary = (await api.admin.get('/v1/users?limit=500')).body as { items: unknown[] };
    return summary.items.length;
  };
  const findUser = async (username: string) => {
    const page = (await api.admin.get(`/v1/users?q=${encodeURIComponent(username)}`)).body as {
      items: { id: string; username: string; mdn: string; networks: { network: string; status: string }[] }[];
    };
    return page.items.find((user) => user.username === username);
  };

  it('serves the template: every column of the console, mandatory ones noted', async () => {
    const response = await fetch(`${api.baseUrl}/v1/users/import/template`, {
      headers: { authorization: `Bearer ${TEST_TOKENS.member}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(XLSX_MIME);
    const [header, ...rest] = await readSheet(Buffer.from(await response.arrayBuffer()));
    expect(header).toEqual(IMPORT_COLUMNS.map((column) => column.header));
    expect(rest).toEqual([]);
  });

  it('imports every row of a valid file as a task: 202 with Location, then done, one UserRegistered each', async () => {
    const before = await userCount();
    const rows = [
      aRow({ network: 'verizon' }),
      aRow(),
      aRow({ mdn: '(201) 555-01' + String(Date.now() % 100).padStart(2, '0') }),
    ];
    const { accepted, location, task } = await importFile(await workbook(rows));
    expect(accepted).toMatchObject({ kind: 'import_users', state: expect.stringMatching(/QUEUED|RUNNING/) });
    expect(location).toBe(`/v1/tasks/${accepted.id}`);
    expect(task).toMatchObject({
      state: 'SUCCEEDED',
      progress: { rowsRead: 3, rowsChecked: 3, rowsDone: 3 },
      result: { rows: 3, imported: 3 },
      error: null,
      attempts: 1,
    });
    expect(Date.parse(task.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(task.startedAt!));
    // Kept TASK_RETENTION_DAYS (30) from when it finished.
    expect(Date.parse(task.expiresAt) - Date.parse(task.finishedAt!)).toBe(30 * 86_400_000);
    expect(await userCount()).toBe(before + 3);
    const users = await Promise.all(rows.map((row) => findUser(String(row[2]))));
    expect(users[0]!.networks).toMatchObject([{ network: 'verizon', status: 'NO_STATUS' }]);
    expect(users[2]!.mdn).toMatch(/^\+1201555\d{4}$/);
    const registered = await eventually(async () => {
      const feed = (await api.admin.get('/v1/events?limit=1000')).body as {
        items: { type: string; key: string }[];
      };
      const ids = feed.items.filter((item) => item.type.endsWith('.UserRegistered')).map((item) => item.key);
      return users.every((user) => ids.includes(user!.id)) ? ids : undefined;
    });
    for (const user of users) expect(registered.filter((id) => id === user!.id)).toHaveLength(1);

    // The Task Center lists it, newest first.
    const list = (await api.admin.get('/v1/tasks?limit=1')).body as {
      items: TaskBody[];
      nextCursor: string | null;
    };
    expect(list.items[0].id).toBe(accepted.id);
  });

  it('rejects the whole file when a row is bad: a failed task naming each row, nothing imported', async () => {
    const taken = (await api.admin.post('/v1/users', aUser())).body as { mdn: string };
    const before = await userCount();
    const rows = [
      aRow({ login: 'grace.import' }),
      aRow({ email: 'not-an-email' }),
      aRow({ login: 'grace.import' }),
      aRow({ mdn: taken.mdn }),
      aRow({ mdn: '12', network: 'sprint' }),
    ];
    const { task } = await importFile(await workbook(rows));
    expect(task).toMatchObject({
      state: 'FAILED',
      error: '4 of 5 rows have errors; no user was imported',
      progress: { rowsRead: 5, rowsChecked: 5, rowsDone: 0 },
      links: { errors: `/v1/tasks/${task.id}/errors` },
    });
    expect(task.result).toEqual({
      rows: 5,
      rejectedRows: 4,
      errorsFile: true,
      rowErrors: [
        { row: 3, errors: ['Email Address must be an email'] },
        { row: 4, errors: ['Login repeats row 2'] },
        { row: 5, errors: ['Mobile Phone number is already taken'] },
        {
          row: 6,
          errors: [
            'Mobile Phone number has the wrong number of digits for its country',
            expect.stringMatching(/^Network must be one of/),
          ],
        },
      ],
    });
    expect(await userCount()).toBe(before);
  });

  it('judges MDNs as numbers, not as typed, and echoes them as typed in the errors file', async () => {
    const e164 = aMobileNumber();
    const national = `(${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;
    const { task } = await importFile(await workbook([aRow({ mdn: e164 }), aRow({ mdn: national })]));
    expect(task.state).toBe('FAILED');
    const file = await taskFile(api.baseUrl, task.id, 'errors');
    const [, first, second] = await readSheet(file.body);
    expect(first[3]).toBe(e164);
    expect(second[3]).toBe(national);
    expect(second[6]).toBe('Mobile Phone number repeats row 2');
  });

  it('keeps the errors file with the task: the sheet with an Errors column, no passwords', async () => {
    const rows = [aRow(), aRow({ email: 'nope' })];
    const { task } = await importFile(await workbook(rows));
    const file = await taskFile(api.baseUrl, task.id, 'errors');
    expect(file.status).toBe(200);
    expect(file.type).toBe(XLSX_MIME);
    const sheet = await readSheet(file.body);
    expect(sheet[0]).toEqual([
      'First Name',
      'Last Name',
      'Login',
      'Mobile Phone number',
      'Email Address',
      'Network',
      'Errors',
    ]);
    expect(sheet[1][6]).toBeNull();
    expect(sheet[2]).toEqual([
      rows[1][0],
      rows[1][1],
      rows[1][2],
      rows[1][4],
      'nope',
      'att',
      'Email Address must be an email',
    ]);
    expect(JSON.stringify(sheet)).not.toContain('not-kept-password');
    // A task without one has none.
    const good = await importFile(await workbook([aRow()]));
    expect((await taskFile(api.baseUrl, good.task.id, 'errors')).status).toBe(404);
  });

  it('checks without importing on a dry run', async () => {
    const before = await userCount();
    const { task } = await importFile(await workbook([aRow(), aRow()]), { query: '?dryRun=true' });
    expect(task).toMatchObject({
      state: 'SUCCEEDED',
      params: { dryRun: true },
      result: { dryRun: true, rows: 2, valid: 2 },
      progress: { rowsChecked: 2, rowsDone: 0 },
    });
    expect(await userCount()).toBe(before);
    const bad = await importFile(await workbook([aRow({ email: 'x' })]), { query: '?dryRun=true' });
    expect(bad.task).toMatchObject({ state: 'FAILED', links: { errors: expect.any(String) } });
    expect((await upload(await workbook([aRow()]), { query: '?dryRun=maybe' })).status).toBe(400);
  });

  it('reads CSV: UTF-8 with or without BOM, comma or semicolon, quoted fields', async () => {
    const [a, b] = [aUser(), aUser()];
    const comma =
      '\uFEFFFirst Name,Last Name,Login,Mobile Phone number,Email Address,Network\r\n' +
      `"Zoë ""Z""",O'Brien,${a.username},${a.mdn},${a.email},Verizon\r\n`;
    const semicolon =
      'First Name;Last Name;Login;Mobile Phone number;Email Address;Network\n' +
      `"Jean; Paul";Müller;${b.username};${b.mdn};${b.email};AT&T\n`;
    for (const [file, user, name, network] of [
      [comma, a, 'Zoë "Z"', 'verizon'],
      [semicolon, b, 'Jean; Paul', 'att'],
    ] as const) {
      const { task } = await importFile(file, { type: 'text/csv; charset=utf-8' });
      expect(task).toMatchObject({ state: 'SUCCEEDED', params: { format: 'csv' }, result: { imported: 1 } });
      const stored = (await findUser(user.username)) as unknown as {
        firstName: string;
        networks: { network: string }[];
      };
      expect(stored.firstName).toBe(name);
      expect(stored.networks.map((line) => line.network)).toEqual([network]);
    }
  });

  it('reads a browser upload (multipart/form-data) of either format', async () => {
    const user = aUser();
    const csv = `First Name,Last Name,Login,Mobile Phone number,Email Address,Network\n${user.firstName},${user.lastName},${user.username},${user.mdn},${user.email},t-mobile\n`;
    const form = new FormData();
    form.append('note', 'ignored');
    form.append('file', new Blob([csv], { type: 'application/vnd.ms-excel' }), 'users.csv');
    const response = await fetch(`${api.baseUrl}/v1/users/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
      body: form,
    });
    expect(response.status).toBe(202);
    const task = await finishedTask(api.baseUrl, ((await response.json()) as TaskBody).id);
    expect(task).toMatchObject({ state: 'SUCCEEDED', params: { format: 'csv', fileName: 'users.csv' } });
    expect((await findUser(user.username))!.networks[0].network).toBe('tmobile');

    const xlsxForm = new FormData();
    xlsxForm.append('file', new Blob([new Uint8Array(await workbook([aRow()]))]), 'users.xlsx');
    const xlsx = await fetch(`${api.baseUrl}/v1/users/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
      body: xlsxForm,
    });
    expect(xlsx.status).toBe(202);
    expect(await finishedTask(api.baseUrl, ((await xlsx.json()) as TaskBody).id)).toMatchObject({
      state: 'SUCCEEDED',
      params: { format: 'xlsx' },
    });
  });

  it('takes network keys and display names in any case', async () => {
    const names = ['VERIZON', 'at&t', 'AT&T', 'T-Mobile', 'tmobile', 'Att'];
    const rows = names.map((network) => aRow({ network }));
    const { task } = await importFile(await workbook(rows));
    expect(task.state).toBe('SUCCEEDED');
    const networks = await Promise.all(
      rows.map(async (row) => (await findUser(String(row[2])))!.networks[0].network),
    );
    expect(networks).toEqual(['verizon', 'att', 'att', 'tmobile', 'tmobile', 'att']);
  });

  it('sets Service Level and Messaging App Version from their columns, as the API does', async () => {
    const [a, b] = [aRow(), aRow()];
    const header = [...HEADER, 'Service Level', 'Messaging App Version'];
    const { task } = await importFile(
      await workbook(
        [
          [...a, 'Gold', '4.2.1'],
          [...b, null, null],
        ],
        header,
      ),
    );
    expect(task.state).toBe('SUCCEEDED');
    expect(await findUser(String(a[2]))).toMatchObject({
      serviceLevel: 'Gold',
      messagingAppVersion: '4.2.1',
    });
    expect(await findUser(String(b[2]))).toMatchObject({ serviceLevel: null, messagingAppVersion: null });
  });

  it('refuses the old binary .xls with a 415 naming the accepted types', async () => {
    // An OLE2 compound file's signature, as Excel 97-2003 writes it.
    const xls = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      Buffer.alloc(504),
    ]);
    for (const type of ['application/vnd.ms-excel', XLSX_MIME]) {
      const response = await upload(xls, { type });
      expect(response.status).toBe(415);
      const body = (await response.json()) as { message: string };
      expect(body.message).toMatch(/xlsx/);
      expect(body.message).toMatch(/csv/);
    }
    const form = new FormData();
    form.append('file', new Blob([xls]), 'old.xls');
    const multipart = await fetch(`${api.baseUrl}/v1/users/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
      body: form,
    });
    expect(multipart.status).toBe(415);
  });

  it('refuses what is not an import file, clearly', async () => {
    const missing = await importFile(await workbook([['Ada']], ['First Name']));
    expect(missing.task).toMatchObject({
      state: 'FAILED',
      error:
        'missing column "Last Name"; missing column "Login"; missing column "Mobile Phone number"; missing column "Email Address"',
    });
    const garbage = await importFile(Buffer.from('PK\x03\x04 not a zip at all'));
    expect(garbage.task.state).toBe('FAILED');
    expect(garbage.task.error).toContain('.xlsx');
    // The route reads spreadsheets only: anything else is refused unread, naming the types.
    const json = await upload(JSON.stringify({ users: [] }), { type: 'application/json' });
    expect(json.status).toBe(415);
    expect(((await json.json()) as { message: string }).message).toContain(XLSX_MIME);
    expect((await upload('', { type: 'text/csv' })).status).toBe(400);
  });

  it('needs the admin role; another organisation sees no task', async () => {
    expect((await upload(await workbook([aRow()]), { role: 'member' })).status).toBe(403);
    const { task } = await importFile(await workbook([aRow()]));
    expect((await api.admin.get('/v1/tasks/not-a-uuid')).status).toBe(400);
    expect((await api.admin.get('/v1/tasks/00000000-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await api.admin.get(`/v1/tasks/${task.id}/result`)).status).toBe(400);
  });

  it('accepts mobile numbers typed as numbers in the sheet', async () => {
    const national = aMobileNumber().slice(2);
    const row = aRow({ mdn: national });
    const { task } = await importFile(
      await workbook([row].map((cells) => cells.map((cell, i) => (i === 4 ? Number(national) : cell)))),
    );
    expect(task.state).toBe('SUCCEEDED');
    expect((await findUser(String(row[2])))!.mdn).toBe(`+1${national}`);
  });

  it('is one task for the same file sent twice with one Idempotency-Key', async () => {
    const file = await workbook([aRow(), aRow()]);
    const first = await upload(file, { idempotencyKey: 'import-once' });
    const second = await upload(file, { idempotencyKey: 'import-once' });
    expect([first.status, second.status]).toEqual([202, 202]);
    const [a, b] = [(await first.json()) as TaskBody, (await second.json()) as TaskBody];
    expect(b.id).toBe(a.id);
    expect((await finishedTask(api.baseUrl, a.id)).result).toMatchObject({ imported: 2 });
    // The same key with another file is refused.
    expect((await upload(await workbook([aRow()]), { idempotencyKey: 'import-once' })).status).toBe(422);
  });
});

describe('user import with provisioning on registration', () => {
  let flow: FlowHarness;

  beforeAll(async () => {
    flow = await startFlow();
  });
  afterAll(() => flow.stop());

  it('starts the Verizon opt-in for every imported Verizon user, as a single registration does', async () => {
    const rows = [aRow({ network: 'verizon' }), aRow({ network: 'verizon' }), aRow({ network: 'att' })];
    const { task } = await importAndWait(flow.running.baseUrl, await workbook(rows));
    expect(task.state).toBe('SUCCEEDED');
    await flow.settle();
    const users = await Promise.all(
      rows.map(async (row) => {
        const page = (await flow.admin.get(`/v1/users?q=${String(row[2])}`)).body as {
          items: { id: string; mdn: string }[];
        };
        return page.items[0];
      }),
    );
    for (const user of users.slice(0, 2)) {
      expect((await flow.admin.get(`/v1/users/${user.id}/networks`)).body[0].status).toBe('OPT_IN_SENT');
      expect(flow.simulator.textsTo(user.mdn)).toHaveLength(1);
    }
    expect((await flow.admin.get(`/v1/users/${users[2].id}/networks`)).body[0].status).toBe('ENABLED');
  });
});
