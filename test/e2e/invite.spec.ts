import { InvitesRepository } from '../../src/lines/persistence/invites.repository';
import { InviteSender } from '../../src/lines/invites/invite-sender.job';
import { DATABASE_KINDS } from '../support/databases';
import { aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';

const APP_LINK = 'https://apps.example.com/capture';

/** Invites through the SMS gateway the simulator plays: recorded (202), sent once, cooled down. */
describe.each(DATABASE_KINDS)('POST /v1/users/:id/invite on %s', (_kind, createDatabase) => {
  let flow: FlowHarness;

  beforeAll(async () => {
    flow = await startFlow({ INVITE_APP_LINK: APP_LINK, INVITE_COOLDOWN_MINUTES: '10' }, createDatabase);
  });
  afterAll(() => flow.stop());
  afterEach(() => jest.restoreAllMocks());

  const register = async (extra: Record<string, unknown> = {}) => {
    const response = await flow.admin.post('/v1/users', aUser(extra));
    expect(response.status).toBe(201);
    return response.body as { id: string; mdn: string; username: string };
  };
  const send = () => flow.runJob(InviteSender);
  /** Every text the gateway took for a number (invites are not opt-in texts). */
  const textsTo = (mdn: string) => flow.simulator.messagesTo(mdn).map((message) => message.text);
  const history = async (id: string) =>
    ((await flow.admin.get(`/v1/users/${id}/history`)).body.items as Record<string, unknown>[]).filter(
      (entry) => entry.kind === 'INVITE',
    );

  it('records the invite (202, in the history), and the sender texts the app link once', async () => {
    const user = await register();
    const asked = await flow.admin.post(`/v1/users/${user.id}/invite`);
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ kind: 'APP_LINK', state: 'PENDING', sentAt: null });
    expect(await history(user.id)).toEqual([
      expect.objectContaining({ kind: 'INVITE', invite: 'APP_LINK', state: 'PENDING', id: asked.body.id }),
    ]);
    expect(textsTo(user.mdn)).toEqual([]);

    expect(await send()).toBe(1);
    expect(await send()).toBe(0);
    expect(textsTo(user.mdn)).toEqual([`Download the capture app: ${APP_LINK}`]);
    expect(await history(user.id)).toEqual([
      expect.objectContaining({ state: 'SENT', sentAt: expect.any(String) }),
    ]);
  });

  it('refuses another invite within the cooldown (409, invite_cooldown), and takes one after it', async () => {
    const user = await register();
    expect((await flow.admin.post(`/v1/users/${user.id}/invite`)).status).toBe(202);
    flow.clock.advanceSeconds(9 * 60);
    const again = await flow.admin.post(`/v1/users/${user.id}/invite`);
    expect(again.status).toBe(409);
    expect(again.body.details).toMatchObject({ rule: 'invite_cooldown', retryAfterSeconds: 60 });
    expect(again.body.message).toMatch(/invite again in 60 s/);
    await send();
    expect(textsTo(user.mdn)).toHaveLength(1);

    flow.clock.advanceSeconds(61);
    expect((await flow.admin.post(`/v1/users/${user.id}/invite`)).status).toBe(202);
    await send();
    expect(textsTo(user.mdn)).toHaveLength(2);
    expect(await history(user.id)).toHaveLength(2);
  });

  it('sends once through a crash between the gateway taking the text and the invite marked sent', async () => {
    const user = await register();
    expect((await flow.admin.post(`/v1/users/${user.id}/invite`)).status).toBe(202);
    // The process "dies" after the gateway took the text: the mark never happens.
    jest.spyOn(InvitesRepository.prototype, 'markSent').mockRejectedValueOnce(new Error('killed'));
    await send().catch(() => undefined);
    expect(textsTo(user.mdn)).toHaveLength(1);
    expect(await history(user.id)).toEqual([expect.objectContaining({ state: 'PENDING' })]);

    // Within its lease nobody takes it again; after it, a replica sends it with the same key.
    expect(await send()).toBe(0);
    flow.clock.advanceSeconds(3600);
    expect(await send()).toBe(1);
    expect(textsTo(user.mdn)).toHaveLength(1);
    expect(await history(user.id)).toEqual([expect.objectContaining({ state: 'SENT' })]);
  });

  it('texts the login details when a registration asks (sendLoginSms)', async () => {
    const user = await register({ sendLoginSms: true });
    expect(await history(user.id)).toEqual([
      expect.objectContaining({ invite: 'LOGIN_DETAILS', state: 'PENDING' }),
    ]);
    await send();
    expect(textsTo(user.mdn)).toEqual([
      `Your username is ${user.username}. Download the capture app and sign in: ${APP_LINK}`,
    ]);
    // The registration's text counts for the cooldown too.
    expect((await flow.admin.post(`/v1/users/${user.id}/invite`)).status).toBe(409);
  });

  it('refuses a deleted user (409), an unknown one (404) and a bad id (400)', async () => {
    const user = await register();
    await flow.admin.delete(`/v1/users/${user.id}`);
    const deleted = await flow.admin.post(`/v1/users/${user.id}/invite`);
    expect(deleted.status).toBe(409);
    expect(deleted.body.details).toMatchObject({ rule: 'deleted_is_final' });
    expect((await flow.admin.post('/v1/users/0190a000-0000-7000-8000-000000000000/invite')).status).toBe(404);
    expect((await flow.admin.post('/v1/users/nope/invite')).status).toBe(400);
    expect(await send()).toBe(0);
    expect(textsTo(user.mdn)).toEqual([]);
  });
});
