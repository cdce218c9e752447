import { IMPORT_COLUMNS } from '../../../src/user-import/import-columns';
import { parseImportSheet, type SheetCell } from '../../../src/user-import/import-sheet';

const HEADER = ['First Name', 'Last Name', 'Login', 'Password', 'Mobile Phone number', 'Email Address'];

describe('parseImportSheet', () => {
  it('maps the template columns, keeps row numbers, skips blank rows and drops passwords', () => {
    const sheet: SheetCell[][] = [
      HEADER,
      ['Ada', 'Lovelace', 'ada', 'secret-1', 2015550123, 'ada@example.com'],
      [null, null, null, null, null, null],
      ['  Alan ', 'Turing', 'alan', 'secret-2', '+1 201 555 0124', 'alan@example.com'],
    ];
    const parsed = parseImportSheet(sheet, 10);
    expect(parsed).toEqual({
      ok: true,
      fields: ['firstName', 'lastName', 'username', 'mdn', 'email'],
      rows: [
        {
          rowNumber: 2,
          values: {
            firstName: 'Ada',
            lastName: 'Lovelace',
            username: 'ada',
            mdn: '2015550123',
            email: 'ada@example.com',
          },
        },
        {
          rowNumber: 4,
          values: {
            firstName: 'Alan',
            lastName: 'Turing',
            username: 'alan',
            mdn: '+1 201 555 0124',
            email: 'alan@example.com',
          },
        },
      ],
    });
    expect(JSON.stringify(parsed)).not.toContain('secret');
  });

  it('matches headers without case, spaces or punctuation, and by their aliases', () => {
    const parsed = parseImportSheet(
      [
        ['first name', 'LAST_NAME', 'Username', 'MDN', 'E-mail', 'Customer Code', 'network'],
        ['a', 'b', 'c', '2015550123', 'd@e.fr', 'C1', 'att'],
      ],
      10,
    );
    expect(parsed.ok && parsed.fields).toEqual([
      'firstName',
      'lastName',
      'username',
      'mdn',
      'email',
      'customerCode',
      'network',
    ]);
  });

  it('reads every column of the template', () => {
    const parsed = parseImportSheet([IMPORT_COLUMNS.map((column) => column.header), ['x']], 10);
    expect(parsed.ok && parsed.fields).toEqual(IMPORT_COLUMNS.map((column) => column.field));
  });

  it('names every problem with the file itself at once', () => {
    expect(parseImportSheet([['First Name', 'Nickname', 'Login', 'Login']], 10)).toEqual({
      ok: false,
      problems: [
        'unknown column "Nickname"',
        'column "Login" appears twice',
        'missing column "Last Name"',
        'missing column "Mobile Phone number"',
        'missing column "Email Address"',
      ],
    });
    expect(parseImportSheet([HEADER], 10)).toEqual({ ok: false, problems: ['no users in the file'] });
    expect(parseImportSheet([], 10)).toMatchObject({ ok: false });
  });

  it('refuses a file over the row limit', () => {
    const rows = Array.from({ length: 3 }, (_, i) => ['a', 'b', `u${i}`, '', '2015550123', 'a@b.co']);
    expect(parseImportSheet([HEADER, ...rows], 2)).toEqual({
      ok: false,
      problems: ['3 users; at most 2 per file'],
    });
  });
});
