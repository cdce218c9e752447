import { parseUserFilter } from '../../../src/scim/domain/scim-filter';
import { ScimError } from '../../../src/scim/domain/scim-schemas';

describe('parseUserFilter', () => {
  it.each([
    ['userName eq "ada@example.com"', { kind: 'eq', field: 'username', value: 'ada@example.com' }],
    ['USERNAME Eq "ada"', { kind: 'eq', field: 'username', value: 'ada' }],
    [
      'externalId eq "00ujl29u0le5T6Aj10h7"',
      { kind: 'eq', field: 'externalId', value: '00ujl29u0le5T6Aj10h7' },
    ],
    ['emails[value eq "a@example.com"]', { kind: 'eq', field: 'email', value: 'a@example.com' }],
    ['emails.value eq "a@example.com"', { kind: 'eq', field: 'email', value: 'a@example.com' }],
    [
      'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ada"',
      { kind: 'eq', field: 'username', value: 'ada' },
    ],
    ['id eq "x"', { kind: 'eq', field: 'id', value: 'x' }],
  ])('reads %s', (text, expected) => expect(parseUserFilter(text)).toEqual(expected));

  it('keeps and/or with their precedence', () => {
    expect(parseUserFilter('userName eq "a" or externalId eq "b" and emails[value eq "c"]')).toEqual({
      kind: 'or',
      of: [
        { kind: 'eq', field: 'username', value: 'a' },
        {
          kind: 'and',
          of: [
            { kind: 'eq', field: 'externalId', value: 'b' },
            { kind: 'eq', field: 'email', value: 'c' },
          ],
        },
      ],
    });
  });

  it.each([
    'userName eq',
    'userName co "a"',
    'title eq "x"',
    'not (userName eq "a")',
    'emails[type eq "work"]',
    'userName eq 3',
    'userName pr',
  ])('refuses %s with 400 invalidFilter', (text) => {
    let caught: unknown;
    try {
      parseUserFilter(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ScimError);
    expect(caught).toMatchObject({ status: 400, scimType: 'invalidFilter' });
  });
});
