import { maskMdn, maskMdnsDeep, maskMdnsInText } from '../../src/logging/mask';

describe('MDN masking', () => {
  it('keeps the country and area code and the last four digits', () => {
    expect(maskMdn('+12015550123')).toBe('+1201***0123');
  });

  it('masks numbers inside text and nested log objects', () => {
    expect(maskMdnsInText('reply from +12015550123 was YES')).toBe('reply from +1201***0123 was YES');
    expect(maskMdnsDeep({ a: { mdn: '2015550123' }, list: ['+447700900123'] })).toEqual({
      a: { mdn: '2015***0123' },
      list: ['+4477***0123'],
    });
  });

  it('leaves short numbers, ids and timestamps alone', () => {
    expect(maskMdnsInText('attempt 3 of 5, port 3000')).toBe('attempt 3 of 5, port 3000');
    expect(maskMdnsInText('2026-11-21T10:00:00.000Z')).toBe('2026-11-21T10:00:00.000Z');
  });
});

describe('MDN masking and identifiers', () => {
  it('does not touch uuids', () => {
    const id = '01936b2e-1234-7890-8123-456789012345';
    expect(maskMdnsInText(`line ${id}`)).toBe(`line ${id}`);
  });
});
