import fc from 'fast-check';
import { csvLine } from '../../../src/user-export/domain/csv-line';
import { spreadsheetSafe } from '../../../src/user-export/domain/spreadsheet-safe';
import { CsvReader, parseCsv } from '../../../src/user-import/csv-sheet';

const TRIGGERS = ['=', '+', '-', '@', '\t', '\r'];

describe('spreadsheetSafe (OWASP CSV injection)', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ['+12015550123', '+12015550123'],
    ['-5', '-5'],
    ['Ada', 'Ada'],
    ['', ''],
    ["O'Brien", "O'Brien"],
  ])('%j is written as %j', (text, safe) => {
    expect(spreadsheetSafe(text)).toBe(safe);
  });

  it('never leaves a formula start, except a bare signed number', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TRIGGERS), fc.string(), (trigger, rest) => {
        const safe = spreadsheetSafe(trigger + rest);
        const bareNumber = /^[+-]\d+(\.\d+)?$/.test(trigger + rest);
        expect(TRIGGERS.includes(safe[0])).toBe(bareNumber);
      }),
    );
  });

  it('changes nothing else, and what it changes is the text with one apostrophe before it', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const safe = spreadsheetSafe(text);
        expect(safe === text || safe === `'${text}`).toBe(true);
        if (text === '' || !TRIGGERS.includes(text[0])) expect(safe).toBe(text);
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string(), (text) =>
        expect(spreadsheetSafe(spreadsheetSafe(text))).toBe(spreadsheetSafe(text)),
      ),
    );
  });
});

describe('csvLine and parseCsv', () => {
  it('read back what was written, whatever the text', () => {
    const cell = fc.string({ unit: 'binary' }).map((text) => text.replace(/^\uFEFF/, ''));
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 5 }),
        (rows) => {
          const width = rows[0].length;
          const table = rows.map((row) => Array.from({ length: width }, (_, i) => row[i] ?? 'x'));
          // A lone empty field is an empty line to a CSV reader: not written here (every row has a name).
          const written = table.map((row) => csvLine(row.map((text) => `a${text}`))).join('');
          expect(parseCsv(written)).toEqual(table.map((row) => row.map((text) => `a${text}`)));
        },
      ),
    );
  });

  it('reads semicolons, a byte-order mark and quoted line breaks', () => {
    expect(parseCsv('\uFEFFa;b\r\n"x;1";"two\nlines"\n')).toEqual([
      ['a', 'b'],
      ['x;1', 'two\nlines'],
    ]);
  });

  it('reads a file in pieces as it reads it whole, wherever the pieces are cut', () => {
    const cell = fc.oneof(fc.constantFrom('"', '""', ';', ',', '\r', '\n', '\r\n', 'a'), fc.string());
    const text = fc.array(cell, { maxLength: 30 }).map((cells) => cells.join(''));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 6 }), (whole, cuts) => {
        const at = [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort((a, b) => a - b);
        const pieces = [0, ...at].map((from, i) => whole.slice(from, [...at, whole.length][i]));
        const reader = new CsvReader();
        const rows = [...pieces.flatMap((piece) => reader.push(piece)), ...reader.end()];
        expect(rows).toEqual(parseCsv(whole));
      }),
      { numRuns: 2000 },
    );
  });
});
