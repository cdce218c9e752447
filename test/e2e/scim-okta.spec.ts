import { eventually } from '../support/eventually';
import { aMobileNumber } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';
import { filterQuery, issueScimToken, SCIM_TEST_ENV, scimClient, type ScimClient } from '../support/scim';
import { TEST_TOKENS } from '../support/tokens';

const V1 = 'mdn.provisioning.v1';

/**
 * Okta's provisioning sequence, with the request bodies of Okta's SCIM 2.0 reference,
 * https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20 (its source:
 * okta/okta-developer-docs, `scim-20`): "Create users" (the GET by `userName eq` with
 * `startIndex=1&count=100`, then the POST with Okta's placeholder `password`), "Update a
 * specific User (PUT)" (the whole resource without externalId, `middleName` changed,
 * `emails[].display`), "Update a specific User (PATCH)" (deactivate: a path-less
 * `replace` with `{ "active": false }`). Two changes to the published bodies: a mobile
 * number is added (Okta sends phoneNumbers once they are mapped; this service needs an
 * MDN), and the userName is made unique per run. Okta never sends DELETE ("Okta doesn't
 * perform DELETE operations on User objects"); the test deletes at the end as an admin
 * removing the integration would, to check the events.
 */
describe('SCIM: Okta provisions users', () => {
  let flow: FlowHarness;
  let scim: ScimClient;
  const mdn = aMobileNumber();
  const userName = `test.user.${Date.now()}@okta.local`;

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
  /** "Update the User": the PUT body of Okta's reference. */
  const oktaPut = (id: string, active: boolean) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id,
    userName,
    name: { givenName: 'Another', middleName: 'Excited', familyName: 'User' },
    emails: [{ primary: true, value: userName, type: 'work', display: userName }],
    phoneNumbers: [{ value: mdn, type: 'mobile' }],
    active,
    groups: [],
    meta: { resourceType: 'User' },
  });
  /** "Update a specific User (PATCH)": how Okta deactivates (and, with `true`, activates). */
  const oktaActive = (active: boolean) => ({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', value: { active } }],
  });

  it('checks, creates, reads, replaces, deactivates, reactivates and deletes a user', async () => {
    flow.simulator.setLookup(mdn, 'tmobile');
    const exists = await scim.get(`/Users${filterQuery(`userName eq "${userName}"`)}&startIndex=1&count=100`);
    expect(exists.body).toMatchObject({ totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });

    const created = await scim.post('/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName,
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      phoneNumbers: [{ value: mdn, type: 'mobile' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    expect(created.body).toMatchObject({ id, userName, active: true, meta: { resourceType: 'User' } });
    await flow.settle();
    expect(await linesOf(id)).toEqual([expect.objectContaining({ network: 'tmobile', status: 'ENABLED' })]);

    // A second check finds it, as Okta's import would.
    const found = await scim.get(`/Users${filterQuery(`userName eq "${userName}"`)}&startIndex=1&count=100`);
    expect(found.body).toMatchObject({ totalResults: 1, itemsPerPage: 1, Resources: [{ id }] });

    const read = await scim.get(`/Users/${id}`);
    expect(read.body).toMatchObject({ id, userName, active: true, externalId: '00ujl29u0le5T6Aj10h7' });
    expect(read.body.password).toBeUndefined();

    // PUT with the whole resource: the name changes, the externalId Okta leaves out is kept.
    const replaced = await scim.put(`/Users/${id}`, oktaPut(id, true));
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      name: { givenName: 'Another', familyName: 'User' },
      externalId: '00ujl29u0le5T6Aj10h7',
      active: true,
    });
    expect(await linesOf(id)).toEqual([expect.objectContaining({ status: 'ENABLED' })]);

    // Deactivate as an OIN integration does (PATCH), then as an AIW integration does (PUT).
    const deactivated = await scim.patch(`/Users/${id}`, oktaActive(false));
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.active).toBe(false);
    expect(await linesOf(id)).toEqual([expect.objectContaining({ status: 'DISABLED' })]);
    expect((await scim.put(`/Users/${id}`, oktaPut(id, false))).body.active).toBe(false);

    const reactivated = await scim.put(`/Users/${id}`, oktaPut(id, true));
    expect(reactivated.body.active).toBe(true);
    expect((await flow.admin.get(`/v1/users/${id}`)).body.status).toBe('ACTIVE');
    await flow.settle();
    expect(await linesOf(id)).toEqual([expect.objectContaining({ network: 'tmobile', status: 'ENABLED' })]);
    const history = (await flow.admin.get(`/v1/users/${id}/networks/tmobile/history`)).body as {
      source: string;
    }[];
    expect(history.map((entry) => entry.source)).toContain('SCIM');

    expect((await scim.delete(`/Users/${id}`)).status).toBe(204);
    expect((await flow.admin.get(`/v1/users/${id}`)).body.status).toBe('DELETED');
    // The feed shows an event once no older transaction can still commit: poll for the last.
    const types = await eventually(async () => {
      const feed = await flow.admin.get<{ items: { key: string; type: string }[] }>('/v1/events?limit=1000');
      const mine = feed.body.items.filter((item) => item.key === id).map((item) => item.type);
      return mine.includes(`${V1}.UserDeleted`) ? mine : undefined;
    }, 30_000);
    expect(types[0]).toBe(`${V1}.UserRegistered`);
    expect(types.at(-1)).toBe(`${V1}.UserDeleted`);
    expect(types.filter((type) => type === `${V1}.UserUpdated`).length).toBeGreaterThanOrEqual(3);
  });

  it('provisions a user first pushed inactive once Okta activates it', async () => {
    // Okta can push a user before activating it ("active": false); no line exists yet, so
    // the activation must ask the number lookup, as a registration does.
    const pendingMdn = aMobileNumber();
    const pendingName = `pending.${Date.now()}@okta.local`;
    flow.simulator.setLookup(pendingMdn, 'att');
    const created = await scim.post('/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: pendingName,
      name: { givenName: 'Pending', familyName: 'User' },
      emails: [{ primary: true, value: pendingName, type: 'work' }],
      phoneNumbers: [{ value: pendingMdn, type: 'mobile' }],
      active: false,
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    await flow.settle();
    expect(await linesOf(id)).toEqual([]);

    expect((await scim.patch(`/Users/${id}`, oktaActive(true))).body.active).toBe(true);
    await flow.settle();
    expect(await linesOf(id)).toEqual([expect.objectContaining({ network: 'att', status: 'ENABLED' })]);
  });
});
