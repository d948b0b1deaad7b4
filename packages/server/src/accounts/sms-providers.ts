import type { Logger } from 'pino';
import type { SmsConfig } from '../config.js';
import { ConsoleSmsProvider, type SmsProvider } from './sms.js';
import { SensSmsProvider } from './sms-sens.js';
import { TwilioSmsProvider } from './sms-twilio.js';
import { WebhookSmsProvider } from './sms-webhook.js';

/** The provider the config names. */
export function createSmsProvider(config: SmsConfig, logger: Logger): SmsProvider {
  switch (config.provider) {
    case 'console':
      return new ConsoleSmsProvider(logger);
    case 'twilio':
      return new TwilioSmsProvider(config);
    case 'sens':
      return new SensSmsProvider(config);
    case 'http':
      return new WebhookSmsProvider(config);
  }
}
