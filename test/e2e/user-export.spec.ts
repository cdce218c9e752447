import { readSheet } from 'read-excel-file/node';
import { parseCsv } from '../../src/user-import/csv-sheet';
import { startApiApp } from '../support/app';
import { DATABASE_KINDS } from '../support/databases';
import { aUser } from '../support/factories';
import { finishedTask, taskFile, type TaskBody } from '../support/tasks';
import { TEST_TOKENS } from '../support/tokens';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const HEADER = [
  'User Status',
  'First Name',
  'Last Name',
  'Username',
  'Mobile',
  'Email',
  'Last Seen',
  'Registration Date',
  'Verizon Status',
  'Verizon Indicator',
  'Verizon Tooltip',
  'AT&T Status',
  'AT&T Indicator',
  'AT&T Tooltip',
  'T-Mobile Status',
  'T-Mobile Indicator',
  'T-Mobile Tooltip',
];

describe.each(DATABASE_KINDS)('user export on %s', (_kind, createDatabase) => {
  let api: Awaited<ReturnType<typeof startApiApp>>;
  /** The same service with a threshold of 2: bigger exports become tasks. */
  let small: Awaited<ReturnType<typeof startApiApp>>;
  const company = `Export ${Date.now()}`;
  const registered: { id: string; username: string; mdn: string; registeredAt: string }[] = [];

  beforeAll(async () => {
    api = await startApiApp(undefined, async () => createDatabase());
    for (const [i, overrides] of [
      { network: 'att' },
      { network: 'verizon', firstName: '=HYPERLINK("http://evil","click")', lastName: '@SUM(1)' },
      { network: 'tmobile', lastName: 'Müller, "Jr"' },
    ].entries()) {
      const body = (
        await api.admin.post(
          '/v1/users',
          aUser({ ...overrides, company, username: `export.${Date.now()}.${i}` }),
        )
      ).body as (typeof registered)[number];
      registered.push(body);
    }
    expect(
      (
        await api.admin.post(`/v1/users/${registered[0].id}/networks/att/sightings`, {
          seenAt: '2026-01-02T03:04:05.000Z',
        })
      ).status,
    ).toBe(200);
    small = await startApiApp(undefined, async () => createDatabase(), { EXPORT_SYNC_MAX_ROWS: '2' });
    for (let i = 0; i < 5; i++) await small.admin.post('/v1/users', aUser({ network: 'att' }));
  });
  afterAll(async () => {
    await api.stopAll();
    await small.stopAll();
  });

  const download = async (baseUrl: string, query: string) => {
    const response = await fetch(`${baseUrl}/v1/users/export?${query}`, {
      headers: { authorization: `Bearer ${TEST_TOKENS.member}` },
    });
    return { status: response.status, type: response.headers.get('content-type'), response };
  };

  it('answers a small export as CSV in the request: the console columns, filtered as the list', async () => {
    const { status, type, response } = await download(api.baseUrl, 'format=csv&network=att');
    expect(status).toBe(200);
    expect(type).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain('users-export.csv');
    const bytes = Buffer.from(await response.arrayBuffer());
    // A byte-order mark, so that Excel reads UTF-8.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(HEADER);
    const mine = rows.filter((row) => row[3] === registered[0].username);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toEqual([
      'ACTIVE',
      'Ada',
      expect.any(String),
      registered[0].username,
      registered[0].mdn,
      expect.stringContaining('@example.com'),
      '2026-01-02T03:04:05.000Z',
      registered[0].registeredAt,
      '',
      '',
      '',
      'No Status',
      // Last seen in January, more than STALE_AFTER_DAYS ago: stale.
      'ORANGE',
      expect.stringMatching(/^AT&T: No Status · since \d{4}-\d\d-\d\d · last seen 2026-01-02$/),
      '',
      '',
      '',
    ]);
    // The filter is the list's: no Verizon or T-Mobile user of ours.
    expect(rows.map((row) => row[3])).not.toContain(registered[1].username);
  });

  it('writes formula-like cells so a spreadsheet cannot run them; quotes and commas survive', async () => {
    const { response } = await download(api.baseUrl, `format=csv&q=${encodeURIComponent('export.')}`);
    const rows = parseCsv(await response.text()).slice(1);
    const evil = rows.find((row) => row[3] === registered[1].username)!;
    expect(evil[1]).toBe('\'=HYPERLINK("http://evil","click")');
    expect(evil[2]).toBe("'@SUM(1)");
    expect(rows.find((row) => row[3] === registered[2].username)![2]).toBe('Müller, "Jr"');
  });

  it('answers a small export as .xlsx: a workbook a spreadsheet reads back', async () => {
    const { status, type, response } = await download(api.baseUrl, 'format=xlsx');
    expect(status).toBe(200);
    expect(type).toBe(XLSX);
    const [header, ...rows] = await readSheet(Buffer.from(await response.arrayBuffer()));
    expect(header).toEqual(HEADER);
    const row = rows.find((cells) => cells[3] === registered[1].username)!;
    expect(row.slice(0, 2)).toEqual(['ACTIVE', '\'=HYPERLINK("http://evil","click")']);
    expect(row[4]).toBe(registered[1].mdn);
    expect(row[8]).toBe('No Status');
    expect(row[9]).toBe('RED');
    const list = (await api.admin.get('/v1/users?limit=500')).body as { items: unknown[] };
    expect(rows).toHaveLength(list.items.length);
  });

  it('refuses an export without a known format', async () => {
    expect((await download(api.baseUrl, '')).status).toBe(400);
    expect((await download(api.baseUrl, 'format=xls')).status).toBe(400);
    expect((await download(api.baseUrl, 'format=csv&network=sprint')).status).toBe(400);
  });

  it('makes a big export a task whose result is the file, in either format', async () => {
    const users = ((await small.admin.get('/v1/users?limit=500')).body as { items: { username: string }[] })
      .items;
    expect(users.length).toBeGreaterThan(2);
    for (const format of ['csv', 'xlsx'] as const) {
      const { status, response } = await download(small.baseUrl, `format=${format}`);
      expect(status).toBe(202);
      const accepted = (await response.json()) as TaskBody;
      expect(response.headers.get('location')).toBe(`/v1/tasks/${accepted.id}`);
      expect(accepted).toMatchObject({ kind: 'export_users', params: { format } });
      const task = await finishedTask(small.baseUrl, accepted.id);
      expect(task).toMatchObject({
        state: 'SUCCEEDED',
        progress: { rowsDone: users.length },
        result: { rows: users.length },
        links: { result: `/v1/tasks/${task.id}/result` },
      });
      const file = await taskFile(small.baseUrl, task.id, 'result');
      expect(file.status).toBe(200);
      const rows = format === 'csv' ? parseCsv(file.body.toString('utf8')) : await readSheet(file.body);
      expect(rows[0]).toEqual(HEADER);
      expect(
        rows
          .slice(1)
          .map((row) => row[3])
          .sort(),
      ).toEqual(users.map((user) => user.username).sort());
    }
  });
});
