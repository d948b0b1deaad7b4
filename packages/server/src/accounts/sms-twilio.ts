import type { SmsConfig } from '../config.js';
import { codeMessage, type SmsProvider } from './sms.js';
import { deliver, field } from './sms-delivery.js';

type TwilioConfig = Extract<SmsConfig, { provider: 'twilio' }>;

/**
 * Twilio Programmable Messaging: creates a Message resource
 * (POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP Basic auth with the
 * Account SID and auth token or an API key). Twilio answers 201 with the message resource, or an
 * error body `{code, message, more_info, status}`.
 */
export class TwilioSmsProvider implements SmsProvider {
  readonly name = 'twilio';
  private readonly url: string;
  private readonly authorization: string;

  constructor(private readonly config: TwilioConfig) {
    this.url = `${config.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
    const credentials = Buffer.from(`${config.username}:${config.password}`).toString('base64');
    this.authorization = `Basic ${credentials}`;
  }

  async sendCode(phone: string, code: string): Promise<void> {
    const form = new URLSearchParams({ To: phone, Body: codeMessage(code) });
    if (this.config.messagingServiceSid) {
      form.set('MessagingServiceSid', this.config.messagingServiceSid);
    } else if (this.config.from) {
      form.set('From', this.config.from);
    }
    await deliver(
      this.name,
      this.config,
      (signal) =>
        fetch(this.url, {
          method: 'POST',
          headers: {
            authorization: this.authorization,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: form.toString(),
          signal,
        }),
      (json) => field(json, 'code'),
    );
  }
}
