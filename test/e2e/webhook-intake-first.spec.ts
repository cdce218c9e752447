import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { InboxBacklog } from '../../src/webhooks/inbox/inbox-backlog';
import { aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';
import { signedPost } from '../support/signed';

const MAX_DEFER_MS = 2_000;

/**
 * Intake first: while a burst of deliveries arrives, the inbox worker leaves the machine
 * to intake, for at most WEBHOOK_INBOX_MAX_DEFER_MS; then it applies whatever intake is
 * doing. Otherwise it applies at once, as before. A burst is held open here as two
 * deliveries in flight, through the backlog's own count, the one the controller keeps.
 */
describe('the inbox worker while intake is busy', () => {
  let flow: FlowHarness;
  let user: { id: string; mdn: string };

  beforeAll(async () => {
    flow = await startFlow({
      PROVISION_ON_REGISTER: 'false',
      WEBHOOK_INBOX_WAKE_MS: '20',
      WEBHOOK_INBOX_POLL_MS: '200',
      WEBHOOK_INBOX_MAX_DEFER_MS: String(MAX_DEFER_MS),
    });
    flow.clock.set('2026-10-01T08:00:00.000Z');
    user = (await flow.admin.post('/v1/users', aUser({ network: 'att' }))).body;
  });
  afterAll(() => flow.stop());

  const move = async (status: string) => {
    flow.clock.advanceSeconds(1);
    const body = { type: 'provisioning.updated', callbackId: randomUUID(), mdn: user.mdn, status };
    const response = await signedPost(
      `${flow.running.baseUrl}/v1/webhooks/carriers/att`,
      JSON.stringify({ ...body, occurredAt: flow.clock.now().toISOString() }),
      { secret: flow.secrets.att },
    );
    expect(response.status).toBe(202);
  };
  const status = async () =>
    (await flow.admin.get<{ status: string }[]>(`/v1/users/${user.id}/networks`)).body[0].status;
  /** Milliseconds until the line shows `expected`, polled; fails after 10 s. */
  const untilStatus = async (expected: string, since: number) => {
    while ((await status()) !== expected) {
      if (performance.now() - since > 10_000) throw new Error(`the line never became ${expected}`);
      await sleep(20);
    }
    return performance.now() - since;
  };

  /** Two deliveries held inside intake, as a burst keeps them; the result lets them end. */
  const holdBurst = () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const backlog = flow.running.app.get(InboxBacklog);
    const receiving = Promise.all([backlog.receiving(() => held), backlog.receiving(() => held)]);
    return async () => {
      release();
      await receiving;
    };
  };

  it('defers applying while a burst arrives, for at most the bound', async () => {
    const endBurst = holdBurst();
    try {
      const started = performance.now();
      await move('ENABLED');
      await sleep(MAX_DEFER_MS / 2);
      expect(await status()).not.toBe('ENABLED');
      // Intake is still busy: the bound, not an idle moment, lets the worker in.
      const waited = await untilStatus('ENABLED', started);
      expect(waited).toBeGreaterThanOrEqual(MAX_DEFER_MS - 100);
      expect(waited).toBeLessThan(MAX_DEFER_MS + 3_000);
    } finally {
      await endBurst();
    }
  });

  it('applies at once for one sender calling one at a time', async () => {
    for (const next of ['DISABLED', 'ENABLED', 'DISABLED']) {
      const started = performance.now();
      await move(next);
      expect(await untilStatus(next, started)).toBeLessThan(MAX_DEFER_MS / 2);
    }
  });

  it("applies all that waited once the bound is reached, a number's later deliveries too", async () => {
    const history = async () =>
      (await flow.admin.get<unknown[]>(`/v1/users/${user.id}/networks/att/history`)).body.length;
    const before = await history();
    const endBurst = holdBurst();
    try {
      const started = performance.now();
      // Three moves of one number: a batch claims one delivery per number, so after the
      // bound a pass that stopped at its first short batch left two for later bounds.
      for (const next of ['ENABLED', 'DISABLED', 'ENABLED']) await move(next);
      while ((await history()) < before + 3) {
        if (performance.now() - started > MAX_DEFER_MS + 1_500)
          throw new Error(`${(await history()) - before} of 3 moves applied within the bound`);
        await sleep(20);
      }
      expect(await status()).toBe('ENABLED');
    } finally {
      await endBurst();
    }
  });
});
