import { activeOf, fromScimUser, toScimUser, type StoredUser } from '../../../src/scim/domain/scim-user';
import { ScimError } from '../../../src/scim/domain/scim-schemas';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const full = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
  userName: 'ada@example.com',
  externalId: 'ext-1',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [
    { value: 'other@example.com', type: 'home' },
    { value: 'ada@example.com', type: 'work', primary: true },
  ],
  phoneNumbers: [
    { value: '+1 201 555 0100', type: 'work' },
    { value: '(201) 555-0123', type: 'mobile' },
  ],
  [ENTERPRISE]: { employeeNumber: 'C-42', department: 'ignored' },
  title: 'ignored',
  active: true,
};

const scimTypeOf = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return error instanceof ScimError ? `${error.status} ${error.scimType}` : String(error);
  }
  return 'no error';
};

describe('fromScimUser', () => {
  it('maps the attributes the service keeps and ignores the others', () => {
    expect(fromScimUser(full)).toEqual({
      username: 'ada@example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.com',
      mdn: '(201) 555-0123',
      businessPhone: '+1 201 555 0100',
      customerCode: 'C-42',
      externalId: 'ext-1',
      active: true,
    });
  });

  it('reads attribute names in any case, as RFC 7643 says they are', () => {
    const shouting = {
      USERNAME: 'a',
      Name: { GivenName: 'A', FAMILYNAME: 'B' },
      Emails: [{ Value: 'a@example.com' }],
      PhoneNumbers: [{ VALUE: '+12015550123', Type: 'Mobile' }],
      Active: 'False',
    };
    expect(fromScimUser(shouting)).toMatchObject({
      username: 'a',
      firstName: 'A',
      mdn: '+12015550123',
      active: false,
    });
  });

  it('takes the first email when none is primary, and active by default', () => {
    const { emails: _emails, active: _active, ...rest } = full;
    const user = fromScimUser({
      ...rest,
      emails: [{ value: 'first@example.com' }, { value: 'second@example.com' }],
    });
    expect(user).toMatchObject({ email: 'first@example.com', active: true });
  });

  it('keeps an absent externalId undefined (kept as stored), and a blank one null', () => {
    const { externalId: _externalId, ...rest } = full;
    expect(fromScimUser(rest).externalId).toBeUndefined();
    expect(fromScimUser({ ...full, externalId: ' ' }).externalId).toBeNull();
  });

  it.each([
    ['userName', { userName: undefined }],
    ['a blank userName', { userName: '  ' }],
    ['givenName', { name: { familyName: 'L' } }],
    ['familyName', { name: { givenName: 'A' } }],
    ['an email', { emails: [] }],
    ['a mobile number', { phoneNumbers: [{ value: '+12015550100', type: 'work' }] }],
    ['a boolean active', { active: 'yes' }],
  ])('refuses a user without %s: 400 invalidValue', (_what, change) => {
    expect(scimTypeOf(() => fromScimUser({ ...full, ...change }))).toBe('400 invalidValue');
  });

  it('refuses a body that is not an object', () => {
    expect(scimTypeOf(() => fromScimUser([full]))).toBe('400 invalidSyntax');
  });
});

describe('activeOf', () => {
  it.each([
    [true, true],
    [false, false],
    ['True', true],
    ['False', false],
    ['false', false],
    ['TRUE', true],
  ])('reads %p as %p', (value, expected) => expect(activeOf(value)).toBe(expected));
});

describe('toScimUser', () => {
  const stored: StoredUser = {
    id: '0192f6a0-0000-7000-8000-000000000001',
    username: 'ada',
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    mdn: '+12015550123',
    businessPhone: null,
    customerCode: 'C-42',
    externalId: null,
    status: 'SUSPENDED',
    registeredAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-02T00:00:00Z'),
  };

  it('shows the user as a SCIM resource that reads back to the same fields', () => {
    const resource = toScimUser(stored, 'https://host/scim/v2/Users/x');
    expect(resource).toMatchObject({
      active: false,
      userName: 'ada',
      [ENTERPRISE]: { employeeNumber: 'C-42' },
    });
    expect(resource.externalId).toBeUndefined();
    expect(fromScimUser(resource)).toEqual({
      username: 'ada',
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.com',
      mdn: '+12015550123',
      businessPhone: null,
      customerCode: 'C-42',
      externalId: undefined,
      active: false,
    });
  });
});
