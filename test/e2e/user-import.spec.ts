import { readSheet } from 'read-excel-file/node';
import writeXlsxFile from 'write-excel-file/node';
import { IMPORT_COLUMNS } from '../../src/user-import/import-columns';
import { XLSX_MIME } from '../../src/user-import/users-workbook';
import { startApiApp } from '../support/app';
import { DATABASE_KINDS } from '../support/databases';
import { eventually } from '../support/eventually';
import { aMobileNumber, aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';
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

describe.each(DATABASE_KINDS)('user import from Excel on %s', (_kind, createDatabase) => {
  let api: Awaited<ReturnType<typeof startApiApp>>;

  beforeAll(async () => {
    api = await startApiApp(undefined, async () => createDatabase());
  });
  afterAll(() => api.stopAll());

  const upload = (
    body: Buffer | string,
    options: { role?: keyof typeof TEST_TOKENS; type?: string; accept?: string } = {},
  ) =>
    fetch(`${api.baseUrl}/v1/users/import`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_TOKENS[options.role ?? 'admin']}`,
        'content-type': options.type ?? XLSX_MIME,
        ...(options.accept ? { accept: options.accept } : {}),
      },
      body,
    });
  const userCount = async () => {
    const summary = (await api.admin.get('/v1/users?limit=200')).body as { items: unknown[] };
    return summary.items.length;
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

  it('imports every row of a valid file: 201, users with their lines, one UserRegistered each', async () => {
    const before = await userCount();
    const rows = [
      aRow({ network: 'verizon' }),
      aRow(),
      aRow({ mdn: '(201) 555-01' + String(Date.now() % 100).padStart(2, '0') }),
    ];
    const response = await upload(await workbook(rows));
    expect(response.status).toBe(201);
    const body = (await response.json()) as {
      imported: number;
      users: { id: string; username: string; mdn: string; networks: { network: string; status: string }[] }[];
    };
    expect(body.imported).toBe(3);
    expect(body.users.map((user) => user.username)).toEqual(rows.map((row) => row[2]));
    expect(body.users[0].networks).toMatchObject([{ network: 'verizon', status: 'NO_STATUS' }]);
    expect(body.users[2].mdn).toMatch(/^\+1201555\d{4}$/);
    expect(await userCount()).toBe(before + 3);
    // The feed shows an event once older transactions on the server have ended.
    const registered = await eventually(async () => {
      const feed = (await api.admin.get('/v1/events?limit=1000')).body as {
        items: { type: string; key: string }[];
      };
      const ids = feed.items.filter((item) => item.type.endsWith('.UserRegistered')).map((item) => item.key);
      return body.users.every((user) => ids.includes(user.id)) ? ids : undefined;
    });
    for (const user of body.users) expect(registered.filter((id) => id === user.id)).toHaveLength(1);
  });

  it('rejects the whole file when a row is bad: 400 naming each row, nothing imported', async () => {
    const taken = (await api.admin.post('/v1/users', aUser())).body as { mdn: string };
    const before = await userCount();
    const rows = [
      aRow({ login: 'grace.import' }),
      aRow({ email: 'not-an-email' }),
      aRow({ login: 'grace.import' }),
      aRow({ mdn: taken.mdn }),
      aRow({ mdn: '12', network: 'sprint' }),
    ];
    const response = await upload(await workbook(rows));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'validation_failed',
      message: '4 of 5 rows have errors; no user was imported',
      details: {
        rows: [
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
      },
    });
    expect(await userCount()).toBe(before);
  });

  it('judges MDNs as numbers, not as typed, and echoes them as typed', async () => {
    const e164 = aMobileNumber();
    const national = `(${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;
    const response = await upload(await workbook([aRow({ mdn: e164 }), aRow({ mdn: national })]), {
      accept: XLSX_MIME,
    });
    expect(response.status).toBe(400);
    const [, first, second] = await readSheet(Buffer.from(await response.arrayBuffer()));
    expect(first[3]).toBe(e164);
    expect(second[3]).toBe(national);
    expect(second[6]).toBe('Mobile Phone number repeats row 2');
  });

  it('gives the file back with an Errors column when asked for .xlsx; passwords are not in it', async () => {
    const rows = [aRow(), aRow({ email: 'nope' })];
    const response = await upload(await workbook(rows), { accept: XLSX_MIME });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe(XLSX_MIME);
    const sheet = await readSheet(Buffer.from(await response.arrayBuffer()));
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
  });

  it('refuses what is not an import file, clearly', async () => {
    const missing = await upload(await workbook([['Ada']], ['First Name']));
    expect(missing.status).toBe(400);
    expect(
      ((await missing.json()) as { details: { reason: string }[] }).details.map((problem) => problem.reason),
    ).toEqual([
      'missing column "Last Name"',
      'missing column "Login"',
      'missing column "Mobile Phone number"',
      'missing column "Email Address"',
    ]);
    const garbage = await upload(Buffer.from('not a zip at all'));
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({
      details: [{ field: 'file', reason: expect.stringContaining('.xlsx') }],
    });
    // The route reads spreadsheets only: anything else is refused unread, naming the type.
    const json = await upload(JSON.stringify({ users: [] }), { type: 'application/json' });
    expect(json.status).toBe(415);
    expect(((await json.json()) as { message: string }).message).toContain(XLSX_MIME);
    const text = await upload('a,b', { type: 'text/csv' });
    expect(text.status).toBe(415);
  });

  it('needs the admin role', async () => {
    const response = await upload(await workbook([aRow()]), { role: 'member' });
    expect(response.status).toBe(403);
  });

  it('accepts mobile numbers typed as numbers in the sheet', async () => {
    const national = aMobileNumber().slice(2);
    const response = await upload(
      await workbook(
        [aRow({ mdn: national })].map((row) => row.map((cell, i) => (i === 4 ? Number(national) : cell))),
      ),
    );
    expect(response.status).toBe(201);
    expect(((await response.json()) as { users: { mdn: string }[] }).users[0].mdn).toBe(`+1${national}`);
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
    const response = await fetch(`${flow.running.baseUrl}/v1/users/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKENS.admin}`, 'content-type': XLSX_MIME },
      body: await workbook(rows),
    });
    expect(response.status).toBe(201);
    const { users } = (await response.json()) as { users: { id: string; mdn: string }[] };
    await flow.settle();
    for (const user of users.slice(0, 2)) {
      expect((await flow.admin.get(`/v1/users/${user.id}/networks`)).body[0].status).toBe('OPT_IN_SENT');
      expect(flow.simulator.textsTo(user.mdn)).toHaveLength(1);
    }
    expect((await flow.admin.get(`/v1/users/${users[2].id}/networks`)).body[0].status).toBe('ENABLED');
  });
});
