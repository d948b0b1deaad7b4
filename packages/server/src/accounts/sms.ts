import type { Logger } from 'pino';

/** Sends sign-in codes. Real providers (SMS gateways) implement the same interface. */
export interface SmsProvider {
  readonly name: string;
  /**
   * Texts `code` to `phone` (E.164). Throws SmsSendError when the gateway refuses (`rejected`:
   * nothing was sent) or cannot be reached after its retries (`unavailable`).
   */
  sendCode(phone: string, code: string): Promise<void>;
}

/**
 * Why a code was not texted: the gateway refused this message (`rejected`, a 4xx), refused our
 * credentials (`unauthorized`, 401/403: the operator's settings), or could not be reached after
 * its tries (`unavailable`). Carries the gateway's HTTP status and error code for the log, never
 * its message (which may repeat the number) nor anything of the request.
 */
export class SmsSendError extends Error {
  constructor(
    readonly kind: 'rejected' | 'unauthorized' | 'unavailable',
    readonly provider: string,
    readonly status: number | undefined,
    readonly providerCode: string | undefined,
  ) {
    super(
      kind === 'unavailable'
        ? `${provider} could not be reached${status ? ` (last answer HTTP ${status})` : ''}`
        : `${provider} refused the ${kind === 'rejected' ? 'message' : 'credentials'} (HTTP ${status}${providerCode ? `, ${providerCode}` : ''})`,
    );
    this.name = 'SmsSendError';
  }
}

/** The text of a sign-in code message: short enough for one SMS in any encoding. */
export const codeMessage = (code: string) => `[Tokki] Sign-in code: ${code}`;

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
