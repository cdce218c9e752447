import { eventually } from '../support/eventually';
import { aMobileNumber } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';
import { filterQuery, issueScimToken, SCIM_TEST_ENV, scimClient, type ScimClient } from '../support/scim';
import { TEST_TOKENS } from '../support/tokens';

const V1 = 'mdn.provisioning.v1';
const SUSPENDED = 'Suspended by the directory (SCIM): capture stopped';
const NUMBER_CHANGED = 'Number changed by the directory (SCIM): old number released';

/**
 * Microsoft Entra ID's provisioning sequence, with the request bodies of Microsoft's own
 * documentation (source: MicrosoftDocs/entra-docs, docs/identity/app-provisioning/):
 * - use-scim-to-provision-users-and-groups.md,
 *   https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
 *   "Create User", "Get User by query", "Update User [Multi-valued properties]",
 *   "Update User [Single-valued properties]", "Disable User" (`"value": false`),
 *   "Delete User";
 * - application-provisioning-config-problem-scim-compatibility.md,
 *   https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
 *   what the provisioning job sends without the aadOptscim062020 flag (`"op": "Replace"`
 *   capitalised, `"value": "False"` as a string, `"op": "Add"` of a single-valued
 *   attribute, one operation per attribute with the enterprise extension's URN path) and
 *   with it (lower-case ops, a path-less value object whose keys are paths).
 * Changes to the published bodies: a mobile number is added (Entra sends phoneNumbers
 * once mapped; this service needs an MDN), and userNames are made unique per run.
 */
describe('SCIM: Microsoft Entra ID provisions users', () => {
  let flow: FlowHarness;
  let scim: ScimClient;
  const mdn = aMobileNumber();
  const userName = `Test_User_${Date.now()}@testuser.com`;

  beforeAll(async () => {
    flow = await startFlow(SCIM_TEST_ENV);
    scim = scimClient(flow.running.baseUrl, await issueScimToken(flow.running.baseUrl, TEST_TOKENS.owner));
  });
  afterAll(() => flow.stop());

  const linesOf = async (id: string) =>
    (
      await flow.admin.get<{ network: string; status: string; reason: string | null }[]>(
        `/v1/users/${id}/networks`,
      )
    ).body;
  const historyOf = async (id: string, network: string) =>
    (
      await flow.admin.get<{ to: string; source: string; reason: string | null }[]>(
        `/v1/users/${id}/networks/${network}/history`,
      )
    ).body;
  const eventsOf = async (id: string) => {
    const feed = await flow.admin.get<{
      items: { key: string; type: string; event: Record<string, unknown> }[];
    }>('/v1/events?limit=1000');
    return feed.body.items.filter((item) => item.key === id);
  };

  it('creates, finds, updates, disables, enables, renumbers and deletes a user', async () => {
    flow.simulator.setLookup(mdn, 'att');
    // Entra asks whether the user exists before creating it.
    const before = await scim.get(`/Users${filterQuery(`userName eq "${userName}"`)}`);
    expect(before.status).toBe(200);
    expect(before.contentType).toContain('application/scim+json');
    expect(before.body).toMatchObject({ totalResults: 0, Resources: [] });

    const created = await scim.post('/Users', {
      schemas: [
        'urn:ietf:params:scim:schemas:core:2.0:User',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      ],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName,
      active: true,
      emails: [
        { primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' },
      ],
      phoneNumbers: [{ type: 'mobile', value: mdn }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
    });
    expect(created.status).toBe(201);
    expect(created.contentType).toContain('application/scim+json');
    const id: string = created.body.id;
    expect(created.body).toMatchObject({
      userName,
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      active: true,
      name: { givenName: 'givenName', familyName: 'familyName' },
      meta: { resourceType: 'User' },
    });
    await flow.settle();
    expect(await linesOf(id)).toEqual([expect.objectContaining({ network: 'att', status: 'ENABLED' })]);

    const found = await scim.get(`/Users${filterQuery(`userName eq "${userName.toUpperCase()}"`)}`);
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id }] });
    const byExternalId = await scim.get(
      `/Users${filterQuery('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}`,
    );
    expect(byExternalId.body.Resources.map((user: { id: string }) => user.id)).toEqual([id]);

    const updated = await scim.patch(`/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
    });
    expect(updated.status).toBe(200);
    const stored = (await flow.admin.get(`/v1/users/${id}`)).body;
    expect(stored).toMatchObject({ email: 'updatedEmail@microsoft.com', lastName: 'updatedFamilyName' });

    // "Update User [Single-valued properties]": a new userName.
    const renamed = `5b50642d-${Date.now()}@testuser.com`;
    const singleValued = await scim.patch(`/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'userName', value: renamed }],
    });
    expect(singleValued.body).toMatchObject({ id, userName: renamed });

    // Without the flag: one Replace per attribute, the employee number by its URN path.
    const employeeNumber = `Eqpj${Date.now()}`;
    const perAttribute = await scim.patch(`/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', path: 'displayName', value: 'Pvlo' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'TestBcwqnm@test.microsoft.com' },
        { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
        { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
        { op: 'Replace', path: 'externalId', value: 'Eqpj' },
        {
          op: 'Replace',
          path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
          value: employeeNumber,
        },
      ],
    });
    expect(perAttribute.status).toBe(200);
    expect(perAttribute.body).toMatchObject({
      externalId: 'Eqpj',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber },
    });
    expect((await flow.admin.get(`/v1/users/${id}`)).body).toMatchObject({
      email: 'TestBcwqnm@test.microsoft.com',
      firstName: 'Gtfd',
      lastName: 'Pkqf',
      customerCode: employeeNumber,
    });

    // With the flag: a filtered path, then a path-less value object keyed by paths.
    const flagged = await scim.patch(`/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
        {
          op: 'replace',
          value: {
            displayName: 'Bjfe',
            'name.givenName': 'Kkom',
            'name.familyName': 'Unua',
            'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': `Aklq${employeeNumber}`,
          },
        },
      ],
    });
    expect(flagged.status).toBe(200);
    expect((await flow.admin.get(`/v1/users/${id}`)).body).toMatchObject({
      email: 'TestMhvaes@test.microsoft.com',
      firstName: 'Kkom',
      lastName: 'Unua',
      customerCode: `Aklq${employeeNumber}`,
    });

    // "Add" of a single-valued attribute this service does not keep: accepted, ignored.
    const nickName = await scim.patch(`/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Add', path: 'nickName', value: 'Babs' }],
    });
    expect(nickName.status).toBe(200);
    expect(nickName.body.nickName).toBeUndefined();

    // Disable, with the string "False" Entra sends.
    const disabled = await scim.patch(`/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body.active).toBe(false);
    expect((await flow.admin.get(`/v1/users/${id}`)).body.status).toBe('SUSPENDED');
    expect(await linesOf(id)).toEqual([expect.objectContaining({ status: 'DISABLED', reason: SUSPENDED })]);
    expect((await historyOf(id, 'att'))[0]).toMatchObject({
      to: 'DISABLED',
      source: 'SCIM',
      reason: SUSPENDED,
    });
    await flow.settle();
    expect(await linesOf(id)).toEqual([expect.objectContaining({ status: 'DISABLED' })]);

    // Enable, path-less, with a value object.
    const enabled = await scim.patch(`/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', value: { active: true } }],
    });
    expect(enabled.body.active).toBe(true);
    await flow.settle();
    expect(await linesOf(id)).toEqual([expect.objectContaining({ network: 'att', status: 'ENABLED' })]);

    // A new mobile number, through a filtered path: the number may be on another carrier,
    // so the lookup is asked again; the old line is released.
    const newMdn = aMobileNumber();
    flow.simulator.setLookup(newMdn, 'tmobile');
    const renumbered = await scim.patch(`/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: newMdn }],
    });
    expect(renumbered.status).toBe(200);
    expect((await flow.admin.get(`/v1/users/${id}`)).body).toMatchObject({ mdn: newMdn, status: 'ACTIVE' });
    const renumberHistory = await historyOf(id, 'att');
    expect(renumberHistory[0]).toMatchObject({ to: 'DISABLED', source: 'SCIM', reason: NUMBER_CHANGED });
    await flow.settle();
    expect(await linesOf(id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ network: 'att', status: 'DISABLED', reason: NUMBER_CHANGED }),
        expect.objectContaining({ network: 'tmobile', status: 'ENABLED' }),
      ]),
    );

    // "Disable User" as the main page shows it: a boolean.
    const documentedDisable = await scim.patch(`/Users/${id}`, {
      Operations: [{ op: 'Replace', path: 'active', value: false }],
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    });
    expect(documentedDisable.body.active).toBe(false);
    expect(await linesOf(id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ network: 'tmobile', status: 'DISABLED', reason: SUSPENDED }),
      ]),
    );

    const deleted = await scim.delete(`/Users/${id}`);
    expect(deleted.status).toBe(204);
    expect((await scim.get(`/Users/${id}`)).status).toBe(404);
    expect((await flow.admin.get(`/v1/users/${id}`)).body.status).toBe('DELETED');
    expect((await linesOf(id)).map((line) => line.status)).toEqual(['DISABLED', 'DISABLED']);

    // The feed shows an event once no older transaction can still commit: poll for the last.
    const events = await eventually(async () => {
      const mine = await eventsOf(id);
      return mine.some((event) => event.type === `${V1}.UserDeleted`) ? mine : undefined;
    }, 30_000);
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining([`${V1}.UserRegistered`, `${V1}.UserUpdated`, `${V1}.UserDeleted`]),
    );
    // The user's own events say a directory acted; so does every line move it caused.
    const userEvents = events.filter((event) => event.type.startsWith(`${V1}.User`));
    expect(userEvents.map((event) => event.event.source)).toEqual(userEvents.map(() => 'SCIM'));
    const scimMoves = events.filter(
      (event) => event.type === `${V1}.NetworkStatusChanged` && event.event.source === 'SCIM',
    );
    // Disabled on the first suspension, on the number change (att) and on the second (tmobile).
    expect(scimMoves).toHaveLength(3);
  });
});
