import { EXACT_TOTAL_UP_TO, UserListRepository } from '../../src/lines/persistence/user-list.repository';
import { DATABASE_KINDS, type TestDatabase } from '../support/databases';
import { apiClient, type ApiClient } from '../support/http';
import { ManualClock } from '../support/clock';
import { aUser } from '../support/factories';
import { startApp, testConfig, type RunningApp } from '../support/app';

interface Listed {
  id: string;
  firstName: string;
  lastName: string;
  username: string;
  lastSeenAt: string | null;
}
interface Page {
  items: Listed[];
  nextCursor: string | null;
  total: number;
  totalIsExact: boolean;
}

/** Search by every spelling, sorts with keyset paging, Last Seen, and the lifecycle of a deleted user. */
describe.each(DATABASE_KINDS)('GET /v1/users: search, sort and page on %s', (_kind, createDatabase) => {
  let target: TestDatabase;
  let running: RunningApp;
  let admin: ApiClient;
  const clock = new ManualClock(new Date('2026-09-01T00:00:00.000Z'));
  let grace: { id: string };

  const page = async (query: string): Promise<Page> => {
    const response = await admin.get(`/v1/users?${query}`);
    expect(response.status).toBe(200);
    return response.body as Page;
  };
  const usernames = async (query: string) => (await page(query)).items.map((user) => user.username);

  /** Every page of a listing, following nextCursor. */
  const walk = async (query: string, limit: number) => {
    const seen: Listed[] = [];
    let cursor: string | null = null;
    do {
      const next: Page = await page(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(next.items.length).toBeLessThanOrEqual(limit);
      seen.push(...next.items);
      cursor = next.nextCursor;
    } while (cursor);
    return seen;
  };

  beforeAll(async () => {
    target = await createDatabase();
    running = await startApp(testConfig(target), { clock });
    admin = apiClient(running.baseUrl, 'admin');
    grace = (
      await admin.post('/v1/users', {
        firstName: 'Grace',
        lastName: 'Hamilton',
        username: 'ghamilton',
        mdn: '(212) 555-0101',
        email: 'grace.h@apollo.example',
        serviceLevel: 'Gold',
        messagingAppVersion: '4.2.1',
        network: 'att',
      })
    ).body;
    // Twelve more, with names that tie (three share each last name) so the id breaks ties.
    for (let i = 0; i < 12; i += 1) {
      clock.advanceSeconds(60);
      const lastName = ['Adams', 'baker', 'Clark', 'Davis'][i % 4];
      const created = await admin.post(
        '/v1/users',
        aUser({ lastName, username: `u${String(i).padStart(2, '0')}`, network: 'tmobile' }),
      );
      expect(created.status).toBe(201);
    }
  });
  afterAll(async () => {
    await running.stop();
    await target.drop();
  });

  it.each([
    ['a part of the first name', 'rac'],
    ['a part of the last name', 'amilt'],
    ['the full name', 'Grace Hamilton'],
    ['the full name the other way round', 'hamilton grace'],
    ['the username', 'GHAMILTON'],
    ['the email', 'h@apollo'],
    ['bare digits', '2125550101'],
    ['dashes', '212-555-0101'],
    ['parentheses and a space', '(212) 555-0101'],
    ['spaces', '212 555 0101'],
    ['E.164', '+12125550101'],
    ['a part of the number', '555-0101'],
  ])('finds by %s', async (_what, q) => {
    const found = await page(`q=${encodeURIComponent(q)}`);
    expect(found.items.map((user) => user.id)).toEqual([grace.id]);
    expect(found).toMatchObject({ total: 1, totalIsExact: true, nextCursor: null });
  });

  it('finds nothing for what is not there, and takes LIKE wildcards literally', async () => {
    expect(await usernames('q=Hamilton%20Gracey')).toEqual([]);
    expect(await usernames('q=212-555-0199')).toEqual([]);
    expect(await usernames(`q=${encodeURIComponent('_')}`)).toEqual([]);
  });

  it('shows Service Level and Messaging App version, and changes them by PATCH', async () => {
    const read = (await admin.get(`/v1/users/${grace.id}`)).body;
    expect(read).toMatchObject({ serviceLevel: 'Gold', messagingAppVersion: '4.2.1', lastSeenAt: null });
    const changed = await admin.patch(`/v1/users/${grace.id}`, { serviceLevel: 'Platinum' });
    expect(changed.body).toMatchObject({ serviceLevel: 'Platinum', messagingAppVersion: '4.2.1' });
    const tooLong = await admin.patch(`/v1/users/${grace.id}`, { messagingAppVersion: 'x'.repeat(51) });
    expect(tooLong.status).toBe(400);
  });

  it.each(['lastName', '-lastName', 'username', '-username', 'registeredAt', '-registeredAt'])(
    'sorts by %s, paging with cursors that neither skip nor repeat',
    async (sort) => {
      const all = await page(`sort=${sort}&limit=100`);
      expect(all.items).toHaveLength(13);
      const paged = await walk(`sort=${sort}`, 4);
      expect(paged.map((user) => user.id)).toEqual(all.items.map((user) => user.id));
      const field = sort.replace('-', '') as 'lastName' | 'username' | 'registeredAt';
      const key = (user: Listed) =>
        field === 'registeredAt' ? user.id : user[field].toLowerCase() + ' ' + user.id;
      const sorted = [...all.items].sort((a, b) => key(a).localeCompare(key(b)));
      if (sort.startsWith('-')) sorted.reverse();
      // Ties (three Adams, ...) in id order, in the sort's direction.
      expect(all.items.map((user) => user.id)).toEqual(sorted.map((user) => user.id));
    },
  );

  it('keeps a page boundary stable while users are added before it', async () => {
    const first = await page('sort=lastName&limit=5');
    await admin.post('/v1/users', aUser({ lastName: 'Aaron', username: 'zz-aaron' }));
    const second = await page(`sort=lastName&limit=5&cursor=${first.nextCursor}`);
    const before = first.items.map((user) => user.lastName.toLowerCase());
    // The next page starts after the last row shown, not five rows further along.
    expect(second.items[0].lastName.toLowerCase() >= before[4]).toBe(true);
    expect(second.items.map((user) => user.id)).not.toContain(first.items[4].id);
  });

  it('sorts by Last Seen, the latest over the lines; never seen last when descending', async () => {
    clock.advanceSeconds(60);
    const seen = await admin.post(`/v1/users/${grace.id}/networks/att/sightings`, {
      seenAt: clock.now().toISOString(),
    });
    expect(seen.status).toBeLessThan(300);
    expect((await admin.get(`/v1/users/${grace.id}`)).body.lastSeenAt).toBe(clock.now().toISOString());
    const descending = await walk('sort=-lastSeen', 3);
    expect(descending[0].id).toBe(grace.id);
    expect(descending.slice(1).every((user) => user.lastSeenAt === null)).toBe(true);
    const ascending = await page('sort=lastSeen&limit=100');
    expect(ascending.items.at(-1)!.id).toBe(grace.id);
  });

  it('refuses a cursor of another sort, a forged cursor and an unknown sort (400)', async () => {
    const first = await page('sort=username&limit=2');
    const other = await admin.get(`/v1/users?sort=lastName&cursor=${first.nextCursor}`);
    expect(other.status).toBe(400);
    expect(other.body.details).toEqual([{ field: 'cursor', reason: 'belongs to another sort' }]);
    const forged = Buffer.from(JSON.stringify(['username', 1, 'x'])).toString('base64url');
    expect((await admin.get(`/v1/users?sort=username&cursor=${forged}`)).status).toBe(400);
    expect((await admin.get('/v1/users?sort=firstName')).status).toBe(400);
  });

  it('estimates the total beyond what it counts (totalIsExact: false), never below the count', async () => {
    const list = running.app.get(UserListRepository);
    list.exactTotalUpTo = 5;
    try {
      const estimated = await page('sort=lastName&limit=2');
      expect(estimated.totalIsExact).toBe(false);
      expect(estimated.total).toBeGreaterThanOrEqual(6);
      const few = await page('network=att');
      expect(few).toMatchObject({ total: 1, totalIsExact: true });
    } finally {
      list.exactTotalUpTo = EXACT_TOTAL_UP_TO;
    }
  });

  it('keeps the filters with a sort', async () => {
    const att = await page('network=att&sort=-username');
    expect(att.items.map((user) => user.id)).toEqual([grace.id]);
  });

  it('frees a deleted user’s MDN and username for a new registration, and keeps the deleted one readable', async () => {
    const body = aUser({ username: 'reused.name', mdn: '+12125550142' });
    const first = (await admin.post('/v1/users', body)).body;
    expect((await admin.post('/v1/users', { ...body, email: 'other@example.com' })).status).toBe(409);
    expect((await admin.delete(`/v1/users/${first.id}`)).status).toBe(200);
    const again = await admin.post('/v1/users', { ...body, mdn: '212-555-0142', email: 'again@example.com' });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(first.id);
    expect((await admin.get(`/v1/users/${first.id}`)).body.status).toBe('DELETED');
    // The list (and its search) shows the live one; the deleted one only by status.
    expect((await page('q=reused.name')).items.map((user) => user.id)).toEqual([again.body.id]);
    expect((await page('q=reused.name&userStatus=DELETED')).items.map((user) => user.id)).toEqual([first.id]);
  });
});
