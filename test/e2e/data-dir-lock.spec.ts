import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aUser } from '../support/factories';
import { apiClient } from '../support/http';
import { freePort, spawnService, waitForExit, waitForHttp } from '../support/process';
import { TEST_TOKENS } from '../support/tokens';

/** The embedded database's directory belongs to one service process at a time. */
describe('the embedded data directory lock', () => {
  const root = mkdtempSync(join(tmpdir(), 'mdn-lock-'));
  const dataDir = join(root, 'data');
  const children: ReturnType<typeof spawnService>[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  function start(port: number) {
    const child = spawnService({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      NODE_ENV: 'test',
      CARRIER_SIMULATOR: 'off',
      PROVISION_ON_REGISTER: 'false',
      ADMIN_API_TOKENS: Object.entries(TEST_TOKENS)
        .map(([role, token]) => `${role}:${token}`)
        .join(','),
    });
    children.push(child);
    return child;
  }

  it('a second service on the same directory exits naming it and its holder; once the holder is killed, a new one starts', async () => {
    const firstPort = await freePort();
    const first = start(firstPort);
    expect((await waitForHttp(`http://127.0.0.1:${firstPort}/health/ready`)).status).toBe(200);
    const user = aUser();
    expect((await apiClient(`http://127.0.0.1:${firstPort}`, 'admin').post('/v1/users', user)).status).toBe(
      201,
    );

    const second = start(await freePort());
    expect(await waitForExit(second)).not.toBe(0);
    const { stderr } = second.output();
    expect(stderr).toContain(dataDir);
    expect(stderr).toContain(`process ${first.pid}`);
    expect(stderr).not.toMatch(/\n\s+at /); // a message, not a stack
    // The first one never noticed.
    expect((await fetch(`http://127.0.0.1:${firstPort}/health/ready`)).status).toBe(200);

    first.kill('SIGKILL');
    await waitForExit(first);
    const thirdPort = await freePort();
    const third = start(thirdPort);
    const ready = await waitForHttp(`http://127.0.0.1:${thirdPort}/health/ready`);
    expect(ready.status).toBe(200);
    const found = await apiClient(`http://127.0.0.1:${thirdPort}`, 'admin').get(
      `/v1/users?q=${encodeURIComponent(user.username)}`,
    );
    expect(found.body.items).toHaveLength(1);

    third.kill('SIGTERM');
    expect(await waitForExit(third)).toBe(0);
  });
});
