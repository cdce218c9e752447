/*
 * The baseline for bench/webhook-intake: a bare Fastify handler that does the same
 * signature check (standardwebhooks) and runs the same SQL statements as the service's
 * activity.seen path (claim the delivery id, read the line by MDN, update it, mark the id completed), with no Nest, no validation and no logging.
 */
import Fastify from 'fastify';
import { Pool } from 'pg';
import { Webhook } from 'standardwebhooks';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const verifier = new Webhook(process.env.CARRIER_ATT_WEBHOOK_SECRET ?? '');
const app = Fastify({ bodyLimit: 64 * 1024 });
app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
  done(null, body),
);

app.post('/v1/webhooks/carriers/att', async (request, reply) => {
  const headers = request.headers as Record<string, string>;
  let body: { callbackId: string; mdn: string; occurredAt: string };
  try {
    body = verifier.verify(request.body as string, headers) as typeof body;
  } catch {
    return reply.status(401).send({ error: 'unauthorized' });
  }
  const claimed = await pool.query(
    `INSERT INTO webhook_receipts AS r (source, external_id) VALUES ($1, $2)
     ON CONFLICT (source, external_id) DO UPDATE SET received_at = now()
       WHERE r.completed_at IS NULL AND r.received_at < now() - make_interval(secs => $3)`,
    ['att', body.callbackId, 120],
  );
  if (claimed.rowCount !== 1) return { status: 'duplicate' };
  const line = await pool.query(
    `SELECT l.id, l.sequence, l.last_seen_at FROM network_lines l JOIN users u ON u.id = l.user_id
     WHERE u.mdn = $1 AND l.network = $2 LIMIT 1`,
    [body.mdn, 'att'],
  );
  await pool.query(
    'UPDATE network_lines SET last_seen_at = $1, indicator = $2, sequence = sequence + 1 WHERE id = $3 AND sequence = $4',
    [body.occurredAt, 'GREEN', line.rows[0].id, line.rows[0].sequence],
  );
  await pool.query(
    'UPDATE webhook_receipts SET completed_at = now() WHERE source = $1 AND external_id = $2',
    ['att', body.callbackId],
  );
  return { status: 'accepted' };
});

app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).then(
  () => process.stdout.write('bare server ready\n'),
  (error: unknown) => {
    process.stderr.write(String(error));
    process.exit(1);
  },
);
