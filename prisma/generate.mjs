// `prisma generate` needs no engine, but the CLI first looks for the native schema
// engine and tries to download it, which fails offline. Pointing it at a stand-in path
// skips that look-up; generation itself is unchanged.
import { spawnSync } from 'node:child_process';

const result = spawnSync('prisma', ['generate'], {
  stdio: 'inherit',
  shell: true,
  env: { PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false', PRISMA_HIDE_UPDATE_MESSAGE: '1', ...process.env },
});
process.exit(result.status ?? 1);
