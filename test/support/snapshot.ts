import { Client } from 'pg';
import type { TestDatabase } from './databases';

/** A digest of every row a request could change, to show that a refusal changed nothing. */
export async function snapshotRows(database: TestDatabase): Promise<Record<string, unknown>> {
  if (database.config.kind !== 'postgres') throw new Error('snapshotRows reads PostgreSQL');
  const client = new Client({ connectionString: database.config.url });
  await client.connect();
  try {
    const out: Record<string, unknown> = {};
    for (const table of ['users', 'network_lines', 'status_history', 'outbox_events', 'webhook_receipts']) {
      const { rows } = await client.query(
        `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest, count(*)::int AS n FROM ${table} t`,
      );
      out[table] = rows[0];
    }
    return out;
  } finally {
    await client.end();
  }
}
