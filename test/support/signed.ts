import { Webhook } from 'standardwebhooks';

export interface SignedPostOptions {
  secret: string;
  id?: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Sign these bytes but send `body` (to forge a tampered delivery). */
  signedBody?: string;
  contentType?: string;
}

/** Posts `body` as a Standard Webhooks delivery, signed (or mis-signed) as told. */
export async function signedPost(url: string, body: string, options: SignedPostOptions): Promise<Response> {
  const id = options.id ?? `msg_${Math.random().toString(36).slice(2)}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = new Webhook(options.secret).sign(
    id,
    new Date(timestamp * 1000),
    options.signedBody ?? body,
  );
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
    },
    body,
  });
}
