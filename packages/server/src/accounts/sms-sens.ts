import { createHmac } from 'node:crypto';
import { parsePhoneNumberWithError } from 'libphonenumber-js';
import type { SmsConfig } from '../config.js';
import { codeMessage, type SmsProvider } from './sms.js';
import { deliver, field, member } from './sms-delivery.js';

type SensConfig = Extract<SmsConfig, { provider: 'sens' }>;

/**
 * NAVER Cloud SENS, SMS API v2: POST /sms/v2/services/{serviceId}/messages with a JSON body,
 * signed by the API Gateway's scheme (x-ncp-apigw-signature-v2: base64 HMAC-SHA256, with the
 * secret key, over "POST {path}\n{timestamp}\n{accessKey}"). SENS answers 202
 * `{requestId, requestTime, statusCode: "202", statusName: "success"}`.
 */
export class SensSmsProvider implements SmsProvider {
  readonly name = 'sens';
  private readonly path: string;

  constructor(private readonly config: SensConfig) {
    this.path = `/sms/v2/services/${config.serviceId}/messages`;
  }

  async sendCode(phone: string, code: string): Promise<void> {
    const body = JSON.stringify({
      type: 'SMS',
      contentType: 'COMM',
      ...sensRecipient(phone, (countryCode, to) => ({ countryCode, messages: [{ to }] })),
      from: this.config.from,
      content: codeMessage(code),
    });
    await deliver(
      this.name,
      this.config,
      (signal) => {
        const timestamp = String(Date.now());
        return fetch(this.config.baseUrl + this.path, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'x-ncp-apigw-timestamp': timestamp,
            'x-ncp-iam-access-key': this.config.accessKey,
            'x-ncp-apigw-signature-v2': sensSignature(
              this.config.secretKey,
              'POST',
              this.path,
              timestamp,
              this.config.accessKey,
            ),
          },
          body,
          signal,
        });
      },
      // The API Gateway's errors are `{error: {errorCode, message}}`; SENS's own carry a status.
      (json) => field(member(json, 'error'), 'errorCode') ?? field(json, 'statusCode'),
    );
  }
}

/** The API Gateway's signature v2. */
export function sensSignature(
  secretKey: string,
  method: string,
  path: string,
  timestamp: string,
  accessKey: string,
): string {
  return createHmac('sha256', secretKey)
    .update(`${method} ${path}\n${timestamp}\n${accessKey}`)
    .digest('base64');
}

/**
 * SENS takes numbers as a country code and the number without it, digits only: a Korean number
 * in its domestic form (+821012345678 → "82", "01012345678"), another by its national number.
 */
function sensRecipient<T>(e164: string, build: (countryCode: string, to: string) => T): T {
  const parsed = parsePhoneNumberWithError(e164);
  const national = String(parsed.nationalNumber);
  return parsed.countryCallingCode === '82'
    ? build('82', `0${national}`)
    : build(String(parsed.countryCallingCode), national);
}
