import type { Logger } from 'pino';

/** Sends sign-in codes. Real providers (SMS gateways) implement the same interface. */
export interface SmsProvider {
  readonly name: string;
  sendCode(phone: string, code: string): Promise<void>;
}

/**
 * Local-mode provider: prints the code to the server log instead of sending an SMS.
 * The server refuses to start with it in production mode.
 */
export class ConsoleSmsProvider implements SmsProvider {
  readonly name = 'console';

  constructor(private readonly logger: Logger) {}

  async sendCode(phone: string, code: string): Promise<void> {
    // The one place a code is logged, on purpose: it is this provider's whole job.
    this.logger.info({ sms: 'console' }, `Sign-in code for ${phone}: ${code}`);
  }
}
