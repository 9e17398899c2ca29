import nodemailer, { type Transporter } from 'nodemailer';
import { delivered, failed, retry, type AttemptResult } from './delivery-result.js';

export interface EmailMessage {
  deliveryId: string;
  to: string;
  subject: string;
  text: string;
}

export interface EmailSender {
  send(message: EmailMessage): Promise<AttemptResult>;
  close(): void;
}

/** Why nothing is mailed, when it is not: said once at start-up and in the health report. */
export const EMAIL_DISABLED_REASON = 'E-mail notifications are not sent: COFFER_SMTP_URL is not set.';

/**
 * Sends over SMTP with nodemailer (STARTTLS when the server offers it; smtps:// for implicit TLS). An SMTP 5xx
 * answer (a recipient refused) fails for good; a 4xx answer or an unreachable server is retried.
 */
export function smtpSender(smtpUrl: string, from: string, timeoutMs: number): EmailSender {
  const transport: Transporter = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(message) {
      try {
        await transport.sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          // The delivery id: a retried message is recognisably the same one.
          messageId: `<${message.deliveryId}@coffer>`,
          headers: { 'X-Coffer-Delivery-Id': message.deliveryId },
        });
        return delivered(null);
      } catch (error) {
        const err = error as { responseCode?: number; code?: string; message?: string };
        const text = `${err.code ?? 'error'}: ${err.message ?? String(error)}`.slice(0, 300);
        if (typeof err.responseCode === 'number' && err.responseCode >= 500) return failed(text, err.responseCode);
        return retry(text, err.responseCode ?? null);
      }
    },
    close() {
      transport.close();
    },
  };
}
