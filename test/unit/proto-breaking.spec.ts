import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const BUF = join(ROOT, 'node_modules/.bin/buf');
const EVENTS = 'mdn/provisioning/v1/events.proto';

/** proto/ copied, with `change` applied to events.proto: the fixture `buf breaking` judges. */
function protoWith(change: (source: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'proto-fixture-'));
  cpSync(join(ROOT, 'proto'), dir, { recursive: true });
  const file = join(dir, EVENTS);
  const source = readFileSync(file, 'utf8');
  const changed = change(source);
  expect(changed).not.toBe(source);
  writeFileSync(file, changed);
  return dir;
}

function breaking(dir: string) {
  return spawnSync(BUF, ['breaking', dir, '--against', join(ROOT, 'proto')], { encoding: 'utf8' });
}

describe('buf breaking guards the event contract (CI: npm run proto:breaking)', () => {
  const made: string[] = [];
  afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('fails on a renumbered field', () => {
    const dir = protoWith((source) => source.replace('uint64 sequence = 14;', 'uint64 sequence = 40;'));
    made.push(dir);
    const result = breaking(dir);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/NetworkStatusChanged.*14|14.*NetworkStatusChanged/);
  });

  it('fails on a field whose type changed', () => {
    const dir = protoWith((source) => source.replace('string mdn = 4; // E.164', 'int64 mdn = 4; // E.164'));
    made.push(dir);
    expect(breaking(dir).status).not.toBe(0);
  });

  it('passes on an added field', () => {
    const dir = protoWith((source) =>
      source.replace('string tooltip = 22;', 'string tooltip = 22;\n  string added_for_the_test = 99;'),
    );
    made.push(dir);
    const result = breaking(dir);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('the CI script passes on this commit', () => {
    expect(() =>
      execFileSync('bash', [join(ROOT, 'proto/breaking.sh')], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` },
      }),
    ).not.toThrow();
  });
});
