import type { ResilientHttp } from '../http/resilient-http';

/** Sends texts to subscribers; replies come back on the SMS webhook. */
export class SmsGatewayClient {
  constructor(private readonly http: ResilientHttp) {}

  async send(to: string, text: string, idempotencyKey: string): Promise<{ messageId: string }> {
    return this.http.request<{ messageId: string }>({
      method: 'POST',
      url: '/v1/messages',
      headers: { 'idempotency-key': idempotencyKey },
      data: { to, text },
    });
  }
}
