import { aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';
import { kinds, ledgerOf, replyAs, type LedgerEntry } from '../support/consent';
import { finishedTask, type TaskBody } from '../support/tasks';
import { TEST_TOKENS } from '../support/tokens';

/** The consent ledger's export above CONSENT_EXPORT_SYNC_MAX_ENTRIES: a task, its file read back. */
describe('a large consent ledger export is a task', () => {
  let flow: FlowHarness;

  beforeAll(async () => {
    flow = await startFlow({ CONSENT_EXPORT_SYNC_MAX_ENTRIES: '3' });
  });
  afterAll(() => flow.stop());

  const get = (path: string, role: keyof typeof TEST_TOKENS = 'admin') =>
    fetch(`${flow.running.baseUrl}${path}`, { headers: { authorization: `Bearer ${TEST_TOKENS[role]}` } });

  const register = async () => {
    const user = (await flow.admin.post('/v1/users', aUser({ network: 'verizon' }))).body as {
      id: string;
      mdn: string;
    };
    await flow.settle();
    return user;
  };

  it('answers 202 with the task; the task’s file is the export, admins only; a small one stays an answer', async () => {
    const user = await register();
    await replyAs(flow, user.mdn, 'YES');
    const own = await ledgerOf(flow, user.id);
    expect(own.entries.length).toBeGreaterThan(3);

    const asked = await get('/v1/consent/export?format=json');
    expect(asked.status).toBe(202);
    const accepted = (await asked.json()) as TaskBody;
    expect(asked.headers.get('location')).toBe(`/v1/tasks/${accepted.id}`);
    expect(accepted).toMatchObject({ kind: 'export_consent', params: { format: 'json' } });

    const task = await finishedTask(flow.running.baseUrl, accepted.id);
    expect(task.state).toBe('SUCCEEDED');
    expect(task.links.result).toBe(`/v1/tasks/${task.id}/result`);
    const file = await get(`/v1/tasks/${task.id}/result`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/application\/json/);
    const entries = (await file.json()) as LedgerEntry[];
    expect(entries).toHaveLength(task.result!.rows as number);
    expect(entries.filter((entry) => entry.userId === user.id).map((entry) => entry.kind)).toEqual(kinds(own));
    // The ledger is the admins' to export: its file too.
    expect((await get(`/v1/tasks/${task.id}/result`, 'member')).status).toBe(403);

    const csvTask = (await (await get(`/v1/consent/export?format=csv&userId=${user.id}`)).json()) as TaskBody;
    const csv = await finishedTask(flow.running.baseUrl, csvTask.id);
    const lines = (await (await get(`/v1/tasks/${csv.id}/result`)).text()).trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,lineId,userId,mdnHash,kind,source,occurredAt/);
    expect(lines).toHaveLength(own.entries.length + 1);

    // A line with only its opt-in text: within the limit, the file is the answer.
    const quiet = await register();
    const small = await get(`/v1/consent/export?format=json&userId=${quiet.id}`);
    expect(small.status).toBe(200);
    expect(((await small.json()) as LedgerEntry[]).map((entry) => entry.kind)).toEqual(['TEXT_SENT']);
  });
});
