import { startApp, testConfig, type RunningApp } from '../support/app';
import { DATABASE_KINDS, type TestDatabase } from '../support/databases';
import { aMobileNumber } from '../support/factories';
import { apiClient } from '../support/http';
import {
  filterQuery,
  issueScimToken,
  OPERATOR_TOKEN,
  OTHER_ORG,
  OTHER_OWNER_TOKEN,
  SCIM_TEST_ENV,
  scimClient,
  type ScimClient,
} from '../support/scim';
import { TEST_TOKENS } from '../support/tokens';

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

const aScimUser = (overrides: Record<string, unknown> = {}) => {
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: `grace.${tag}@example.com`,
    name: { givenName: 'Grace', familyName: 'Hopper' },
    emails: [{ value: `grace.${tag}@example.com`, primary: true }],
    phoneNumbers: [{ value: aMobileNumber(), type: 'mobile' }],
    ...overrides,
  };
};

describe.each(DATABASE_KINDS)('SCIM refusals and lists (%s)', (_kind, createDatabase) => {
  let database: TestDatabase;
  let running: RunningApp;
  let scim: ScimClient;
  let otherScim: ScimClient;

  beforeAll(async () => {
    database = await createDatabase();
    running = await startApp(testConfig(database, SCIM_TEST_ENV));
    const operator = { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' };
    const org = await fetch(`${running.baseUrl}/v1/organizations`, {
      method: 'POST',
      headers: operator,
      body: JSON.stringify({ name: 'Other', slug: OTHER_ORG }),
    });
    expect(org.status).toBe(201);
    scim = scimClient(running.baseUrl, await issueScimToken(running.baseUrl, TEST_TOKENS.owner));
    otherScim = scimClient(running.baseUrl, await issueScimToken(running.baseUrl, OTHER_OWNER_TOKEN));
  });
  afterAll(async () => {
    await running.stop();
    await database.drop();
  });

  const expectScimError = (response: { status: number; body: any }, status: number, scimType?: string) => {
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: String(status) });
    if (scimType) expect(response.body.scimType).toBe(scimType);
  };

  it('answers a taken userName (any case) with 409 uniqueness', async () => {
    const user = aScimUser();
    expect((await scim.post('/Users', user)).status).toBe(201);
    const again = aScimUser({ userName: user.userName.toUpperCase() });
    expectScimError(await scim.post('/Users', again), 409, 'uniqueness');
  });

  it('answers a filter it cannot parse or answer with 400 invalidFilter', async () => {
    expectScimError(await scim.get(`/Users${filterQuery('userName eq')}`), 400, 'invalidFilter');
    expectScimError(await scim.get(`/Users${filterQuery('title co "x"')}`), 400, 'invalidFilter');
  });

  it('answers a missing required attribute with 400 invalidValue', async () => {
    expectScimError(await scim.post('/Users', aScimUser({ phoneNumbers: [] })), 400, 'invalidValue');
    expectScimError(await scim.post('/Users', aScimUser({ userName: undefined })), 400, 'invalidValue');
    expectScimError(await scim.post('/Users', aScimUser({ active: 'maybe' })), 400, 'invalidValue');
  });

  it('answers an unknown id with 404', async () => {
    expectScimError(await scim.get('/Users/0192f6a0-0000-7000-8000-000000000000'), 404);
    expectScimError(await scim.get('/Users/not-an-id'), 404);
    expectScimError(await scim.delete('/Users/0192f6a0-0000-7000-8000-000000000000'), 404);
  });

  it('refuses tokens that are not this organisation SCIM token with 401', async () => {
    const created = await scim.post('/Users', aScimUser());
    const id: string = created.body.id;
    for (const token of ['nope', TEST_TOKENS.owner, OTHER_OWNER_TOKEN]) {
      expectScimError(await scimClient(running.baseUrl, token).get(`/Users/${id}`), 401);
    }
    // Another organisation's SCIM token authenticates, for its own users only.
    expectScimError(await otherScim.get(`/Users/${id}`), 404);
    expect(
      (await otherScim.get(`/Users${filterQuery(`userName eq "${created.body.userName}"`)}`)).body,
    ).toMatchObject({ totalResults: 0 });
    expectScimError(await otherScim.delete(`/Users/${id}`), 404);
    expect((await scim.get(`/Users/${id}`)).status).toBe(200);
  });

  it('rotates a token: the old one stops working at once', async () => {
    const old = await issueScimToken(running.baseUrl, OTHER_OWNER_TOKEN);
    expect((await scimClient(running.baseUrl, old).get('/ServiceProviderConfig')).status).toBe(200);
    otherScim = scimClient(running.baseUrl, await issueScimToken(running.baseUrl, OTHER_OWNER_TOKEN));
    expectScimError(await scimClient(running.baseUrl, old).get('/ServiceProviderConfig'), 401);
    expect((await otherScim.get('/ServiceProviderConfig')).status).toBe(200);
    const admin = apiClient(running.baseUrl, 'admin');
    expect((await admin.post('/v1/organization/scim-token')).status).toBe(403);
  });

  it('pages with startIndex and count, and filters with and/or and emails[value eq]', async () => {
    const users = [aScimUser(), aScimUser(), aScimUser()];
    const ids: string[] = [];
    for (const user of users) ids.push((await otherScim.post('/Users', user)).body.id);
    const all = (await otherScim.get('/Users?startIndex=1&count=2')).body;
    expect(all).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 2 });
    const rest = (await otherScim.get('/Users?startIndex=3&count=2')).body;
    expect(rest.Resources.map((user: { id: string }) => user.id)).toEqual([ids[2]]);

    const [first, second] = users;
    const either = `userName eq "${first.userName}" or emails[value eq "${second.emails[0].value}"]`;
    const found = (await otherScim.get(`/Users${filterQuery(either)}`)).body;
    expect(found.Resources.map((user: { id: string }) => user.id)).toEqual([ids[0], ids[1]]);
    const both = `userName eq "${first.userName}" and emails.value eq "${second.emails[0].value}"`;
    expect((await otherScim.get(`/Users${filterQuery(both)}`)).body.totalResults).toBe(0);
  });

  it('describes itself', async () => {
    const config = await scim.get('/ServiceProviderConfig');
    expect(config.contentType).toContain('application/scim+json');
    expect(config.body).toMatchObject({ patch: { supported: true }, bulk: { supported: false } });
    expect((await scim.get('/ResourceTypes')).body.Resources[0]).toMatchObject({
      id: 'User',
      endpoint: '/Users',
    });
    expect((await scim.get('/Schemas')).body.totalResults).toBe(2);
  });
});
