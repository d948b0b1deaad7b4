import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { SmsConfig } from '../config.js';
import { codeMessage, type SmsProvider } from './sms.js';
import { deliver, field } from './sms-delivery.js';

type WebhookConfig = Extract<SmsConfig, { provider: 'http' }>;

/** What the operator's endpoint is sent: Standard Webhooks' recommended `{type, timestamp, data}`. */
export interface SignInCodeWebhook {
  type: 'sign_in_code';
  timestamp: string;
  data: {
    /** E.164. */
    to: string;
    code: string;
    /** A ready-made SMS text carrying the code. */
    text: string;
  };
}

/**
 * The generic `http` provider, for any other gateway: a JSON POST to a URL the operator runs,
 * signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature). Any 2xx is
 * success; the operator's 4xx means "cannot text this number", a 5xx "try again".
 */
export class WebhookSmsProvider implements SmsProvider {
  readonly name = 'http';
  private readonly signer: Webhook;

  constructor(private readonly config: WebhookConfig) {
    this.signer = new Webhook(config.secret);
  }

  async sendCode(phone: string, code: string): Promise<void> {
    // One id for every try: it is how the endpoint recognises a retry of the same message.
    const id = `msg_${randomUUID()}`;
    const payload: SignInCodeWebhook = {
      type: 'sign_in_code',
      timestamp: new Date().toISOString(),
      data: { to: phone, code, text: codeMessage(code) },
    };
    const body = JSON.stringify(payload);
    await deliver(
      this.name,
      this.config,
      (signal) => {
        const sentAt = new Date();
        return fetch(this.config.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
            'webhook-signature': this.signer.sign(id, sentAt, body),
          },
          body,
          signal,
        });
      },
      (json) => field(json, 'error') ?? field(json, 'code'),
    );
  }
}
