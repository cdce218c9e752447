import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnService, waitForExit, waitForHttp } from '../support/process';

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
    const port = 20000 + Math.floor(Math.random() * 20000);
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
});
