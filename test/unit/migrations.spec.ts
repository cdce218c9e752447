import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const MIGRATIONS = join(__dirname, '../../prisma/migrations');

/**
 * The driver adapter runs a migration script statement by statement, split on every `;`,
 * comments included: a `;` in a comment cuts a statement in two, and the migration fails
 * against PostgreSQL while psql runs the same file fine (it happened once).
 */
describe('migration scripts', () => {
  const scripts = readdirSync(MIGRATIONS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(entry.name, 'migration.sql'));

  it.each(scripts)('%s has no semicolon inside a comment', (script) => {
    const comments = readFileSync(join(MIGRATIONS, script), 'utf8')
      .split('\n')
      .filter((line) => /--.*;/.test(line));
    expect(comments).toEqual([]);
  });
});
