import { withPaths } from '../../../src/scim/domain/patch-operations';
import { ScimError } from '../../../src/scim/domain/scim-schemas';

describe('withPaths', () => {
  it('keeps operations that have a path as they are', () => {
    const operations = [{ op: 'Replace', path: 'active', value: 'False' }];
    expect(withPaths(operations)).toEqual(operations);
  });

  it('splits a path-less value object into one operation per key (Entra ID)', () => {
    expect(
      withPaths([
        { op: 'Add', value: { 'name.givenName': 'Babs', 'emails[type eq "work"].value': 'b@x.com' } },
      ]),
    ).toEqual([
      { op: 'Add', path: 'name.givenName', value: 'Babs' },
      { op: 'Add', path: 'emails[type eq "work"].value', value: 'b@x.com' },
    ]);
  });

  it.each([[undefined], [[]], [[{ path: 'active' }]], [['replace']]])(
    'refuses %p with 400 invalidSyntax',
    (operations) => {
      expect(() => withPaths(operations)).toThrow(ScimError);
    },
  );
});
