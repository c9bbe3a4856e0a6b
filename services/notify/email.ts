import nodemailer from 'nodemailer';
import { bodyText, summaryLine, type AlertMessage } from './message.js';

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
  to: string;
}

export async function sendEmail(smtp: SmtpSettings, message: AlertMessage): Promise<void> {
  const transport = nodemailer.createTransport({
    host: smtp.host, port: smtp.port, secure: smtp.secure,
    ...(smtp.user && { auth: { user: smtp.user, pass: smtp.password ?? '' } }),
    connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000,
  });
  try {
    await transport.sendMail({ from: smtp.from, to: smtp.to, subject: summaryLine(message), text: bodyText(message) });
  } catch (err) {
    // nodemailer's messages can echo the server's answer; keep the code, never the credentials.
    const e = err as { code?: string; responseCode?: number };
    throw new Error(`SMTP delivery failed (${e.code ?? 'error'}${e.responseCode ? ` ${e.responseCode}` : ''})`);
  } finally {
    transport.close();
  }
}
