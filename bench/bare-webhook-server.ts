/*
 * The baselines for bench/webhook-intake, bare Fastify + pg, no Nest, no validation, no
 * logging. BARE_MODE picks one:
 * - `floor`: verify the signature (standardwebhooks) and record the delivery durably with
 *   one INSERT: the least a receiver that never loses a delivery can do (goal 1);
 * - `same-work`: verify, then do in the request what the service does for a carrier's
 *   status callback, with the same statements: take the delivery id, read the line by
 *   number, move it (line, history row and outbox event in one transaction), mark the id
 *   done (goal 2).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Pool } from 'pg';
import { Webhook } from 'standardwebhooks';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const verifier = new Webhook(process.env.CARRIER_ATT_WEBHOOK_SECRET ?? '');
const mode = process.env.BARE_MODE ?? 'floor';
/** An event's size on the wire: NetworkStatusChanged in protobuf is about this long. */
const EVENT = randomBytes(180);
const app = Fastify({ bodyLimit: 64 * 1024 });
app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
  done(null, body),
);

interface Callback {
  callbackId: string;
  mdn: string;
  occurredAt: string;
  status: string;
}

app.post('/v1/webhooks/carriers/:network', async (request, reply) => {
  const headers = request.headers as Record<string, string>;
  let body: Callback;
  try {
    body = verifier.verify(request.body as string, headers) as Callback;
  } catch {
    return reply.status(401).send({ error: 'unauthorized' });
  }
  const { network } = request.params as { network: string };
  if (mode === 'floor') {
    const stored = await pool.query(
      'INSERT INTO bench_floor (source, external_id, payload) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [network, body.callbackId, request.body],
    );
    return reply.status(stored.rowCount === 1 ? 202 : 200).send({ status: 'accepted' });
  }
  await sameWork(network, body);
  return { status: 'accepted' };
});

async function sameWork(network: string, body: Callback): Promise<void> {
  await pool.query(
    'INSERT INTO webhook_receipts (source, external_id, webhook_id) VALUES ($1, $2, $2) ON CONFLICT DO NOTHING',
    [network, body.callbackId],
  );
  const { rows } = await pool.query<{
    id: string;
    sequence: number;
    status: string;
    organization_id: string;
    user_id: string;
  }>(
    `SELECT l.id, l.sequence, l.status, l.organization_id, l.user_id FROM network_lines l
     JOIN users u ON u.id = l.user_id WHERE u.mdn = $1 AND l.network = $2 AND u.status <> 'DELETED' LIMIT 1`,
    [body.mdn, network],
  );
  const line = rows[0];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `UPDATE network_lines SET status = $1, reason = NULL, status_changed_at = $2, sequence = sequence + 1,
         indicator = $3, reconcile_at = now() WHERE id = $4 AND sequence = $5`,
      [body.status, body.occurredAt, body.status === 'ENABLED' ? 'GREEN' : 'NONE', line.id, line.sequence],
    );
    await client.query(
      `INSERT INTO status_history (id, line_id, organization_id, from_status, to_status, source, line_sequence, occurred_at)
       VALUES ($1, $2, $3, $4, $5, 'CARRIER_CALLBACK', $6, $7)`,
      [
        randomUUID(),
        line.id,
        line.organization_id,
        line.status,
        body.status,
        line.sequence + 1,
        body.occurredAt,
      ],
    );
    await client.query(
      `INSERT INTO outbox_events (event_id, event_type, key, organization_id, payload) VALUES ($1, $2, $3, $4, $5)`,
      [randomUUID(), 'mdn.provisioning.v1.NetworkStatusChanged', line.user_id, line.organization_id, EVENT],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  await pool.query(
    'UPDATE webhook_receipts SET completed_at = now() WHERE source = $1 AND external_id = $2',
    [network, body.callbackId],
  );
}

app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).then(
  () => process.stdout.write('bare server ready\n'),
  (error: unknown) => {
    process.stderr.write(String(error));
    process.exit(1);
  },
);
