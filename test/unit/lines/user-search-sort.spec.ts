import fc from 'fast-check';
import { containsPattern, searchNeedle } from '../../../src/lines/domain/user-search';
import {
  decodeCursor,
  encodeCursor,
  parseSort,
  SORT_PARAMS,
  sortParam,
  type CursorPosition,
} from '../../../src/lines/domain/user-sort';
import { cooldownLeft } from '../../../src/lines/domain/invite';

describe('searchNeedle: what q looks for', () => {
  it.each([
    ['212-555-0101', '2125550101'],
    ['(212) 555-0101', '2125550101'],
    ['212 555 0101', '2125550101'],
    ['212.555.0101', '2125550101'],
    ['+12125550101', '12125550101'],
    ['+1 (212) 555-0101', '12125550101'],
    ['  Grace   Hamilton ', 'grace hamilton'],
    ['GHAMILTON', 'ghamilton'],
    ['user99999', 'user99999'],
    ['a.b-c@example.com', 'a.b-c@example.com'],
    ['   ', undefined],
    ['()-', '()-'],
  ])('%s looks for %s', (q, needle) => {
    expect(searchNeedle(q)).toBe(needle);
  });

  const digits = fc.stringMatching(/^[0-9]{10}$/);
  const spelling = (number: string) =>
    fc.constantFrom(
      number,
      `${number.slice(0, 3)}-${number.slice(3, 6)}-${number.slice(6)}`,
      `(${number.slice(0, 3)}) ${number.slice(3, 6)}-${number.slice(6)}`,
      `${number.slice(0, 3)} ${number.slice(3, 6)} ${number.slice(6)}`,
      `${number.slice(0, 3)}.${number.slice(3, 6)}.${number.slice(6)}`,
      `+1${number}`,
      ` +1 ${number.slice(0, 3)} ${number.slice(3)} `,
    );

  it('reduces every spelling of a number to digits that the stored E.164 (without +) contains', () => {
    fc.assert(
      fc.property(
        digits.chain((number) => fc.tuple(fc.constant(number), spelling(number))),
        ([number, typed]) => {
          const needle = searchNeedle(typed)!;
          expect(needle).toMatch(/^\d+$/);
          expect(`1${number}`).toContain(needle);
        },
      ),
    );
  });

  it('leaves any text with a letter as typed, lower-cased with its spaces made one', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((q) => /[a-z]/i.test(q)),
        (q) => {
          expect(searchNeedle(q)).toBe(q.trim().replace(/\s+/g, ' ').toLowerCase());
        },
      ),
    );
  });

  it('escapes LIKE wildcards, so the pattern matches the needle literally', () => {
    fc.assert(
      fc.property(fc.string(), (needle) => {
        const pattern = containsPattern(needle);
        const unescaped = pattern.slice(1, -1).replace(/\\(.)/g, '$1');
        expect(unescaped).toBe(needle);
        expect(pattern.slice(1, -1)).not.toMatch(/(^|[^\\])(\\\\)*[%_]/);
      }),
    );
  });
});

describe('cursors', () => {
  const uuid = fc.uuid().map((id) => id.toLowerCase());
  const iso = fc
    .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((date) => date.toISOString());
  const position: fc.Arbitrary<CursorPosition> = fc.oneof(
    fc.record({
      sort: fc.constantFrom('lastName', '-lastName', 'username', '-username'),
      key: fc.string({ maxLength: 200 }),
      id: uuid,
    }),
    fc.record({ sort: fc.constantFrom('registeredAt', '-registeredAt'), key: iso, id: uuid }),
    fc.record({
      sort: fc.constantFrom('lastSeen', '-lastSeen'),
      key: fc.option(iso, { nil: null }),
      id: uuid,
    }),
    fc.record({ sort: fc.constant('id'), key: fc.constant(null), id: uuid }),
  );
  const sortOf = (param: string) => (param === 'id' ? parseSort(undefined) : parseSort(param));

  it('decode(encode(p)) is p, for the sort it was made for', () => {
    fc.assert(
      fc.property(position, (p) => {
        expect(decodeCursor(encodeCursor(p), sortOf(p.sort))).toEqual({ ok: true, position: p });
      }),
    );
  });

  it('refuses a cursor made for another sort', () => {
    fc.assert(
      fc.property(position, fc.constantFrom(...SORT_PARAMS, 'id'), (p, other) => {
        fc.pre(other !== p.sort);
        expect(decodeCursor(encodeCursor(p), sortOf(other))).toEqual({
          ok: false,
          reason: 'belongs to another sort',
        });
      }),
    );
  });

  it('never accepts what it did not give out, and never throws', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(...SORT_PARAMS), (junk, sort) => {
        const check = decodeCursor(junk, parseSort(sort));
        if (check.ok) {
          // Only a well-formed position survives: its id a UUID, its key of the sort's type.
          expect(check.position.id).toMatch(/^[0-9a-f-]{36}$/);
          expect(check.position.sort).toBe(sort);
        }
      }),
    );
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const sort = parseSort('registeredAt');
    expect(
      decodeCursor(forged(['registeredAt', 'yesterday', '0190a000-0000-7000-8000-000000000000']), sort).ok,
    ).toBe(false);
    expect(
      decodeCursor(forged(['registeredAt', null, '0190a000-0000-7000-8000-000000000000']), sort).ok,
    ).toBe(false);
    expect(decodeCursor(forged(['registeredAt', '2026-01-01T00:00:00.000Z', "1' OR 1=1"]), sort).ok).toBe(
      false,
    );
  });

  it('reads the id-only cursors given out before sorts, for the default order only', () => {
    const old = Buffer.from('0190a000-0000-7000-8000-000000000000').toString('base64url');
    expect(decodeCursor(old, parseSort(undefined))).toMatchObject({ ok: true });
    expect(decodeCursor(old, parseSort('lastName'))).toMatchObject({ ok: false });
  });

  it('names each sort as the API takes it', () => {
    for (const param of SORT_PARAMS) expect(sortParam(parseSort(param))).toBe(param);
    expect(() => parseSort('firstName')).toThrow();
  });
});

describe('cooldownLeft', () => {
  const now = new Date('2026-09-01T12:00:00.000Z');
  it('is 0 without an earlier invite or once the cooldown has passed, else the seconds left', () => {
    expect(cooldownLeft(null, now, 10)).toBe(0);
    expect(cooldownLeft(new Date(now.getTime() - 10 * 60_000), now, 10)).toBe(0);
    expect(cooldownLeft(new Date(now.getTime() - 9 * 60_000), now, 10)).toBe(60);
    expect(cooldownLeft(new Date(now.getTime() - 1), now, 10)).toBe(600);
    expect(cooldownLeft(now, now, 0)).toBe(0);
  });
});
