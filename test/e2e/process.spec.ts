import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnService, waitForExit, waitForHttp } from '../support/process';

describe('the service process', () => {
  it('exits non-zero at start-up naming each bad config value', async () => {
    const child = spawnService({ PORT: 'eighty', DB_POOL_MAX: '-1' });
    const code = await waitForExit(child);
    expect(code).not.toBe(0);
    const { stderr } = child.output();
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toMatch(/PORT: must be a whole number/);
    expect(stderr).toMatch(/DB_POOL_MAX: must be at least 1/);
  });

  it('starts on the embedded database with no environment, then drains and exits 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mdn-data-'));
    const port = await freePort();
    const child = spawnService({ PORT: String(port), DATA_DIR: dataDir, NODE_ENV: 'test' });
    try {
      const ready = await waitForHttp(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(200);
      child.kill('SIGTERM');
      expect(await waitForExit(child)).toBe(0);
      expect(child.output().stdout).toContain('Database closed');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('on the embedded default, a Verizon user reaches Enabled in a second or two, carried by wake-ups alone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mdn-data-'));
    const port = await freePort();
    // The reconciler's poll is an hour: only the wake-ups can carry the line this fast.
    const child = spawnService({
      PORT: String(port),
      DATA_DIR: dataDir,
      NODE_ENV: 'test',
      RECONCILE_INTERVAL_MS: '3600000',
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/health/ready`);
      const token = /dev-owner-[\w-]+/.exec(child.output().stdout)?.[0];
      expect(token).toBeDefined();
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const body = {
        firstName: 'Ada',
        lastName: 'Lovelace',
        username: 'ada',
        mdn: '201-555-0123',
        email: 'ada@example.com',
        network: 'verizon',
      };
      const started = Date.now();
      const created = await fetch(`http://127.0.0.1:${port}/v1/users`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      let status = '';
      while (status !== 'ENABLED' && Date.now() - started < 10_000) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const lines = (await (
          await fetch(`http://127.0.0.1:${port}/v1/users/${id}/networks`, { headers })
        ).json()) as { status: string }[];
        status = lines[0]?.status ?? '';
      }
      expect(status).toBe('ENABLED');
      // Two simulated callbacks of half a second each (the YES, then Verizon's answer).
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
