import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Sends Loupe's few emails through the installation's SMTP server (nodemailer: TLS, STARTTLS, auth
 * and pooling done right). Without one, there is nowhere to send: `delivers` is false and callers
 * write what they would have sent to the log, for an administrator to pass on.
 */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly transport: Transporter | null;
  private readonly from: string;

  constructor(@Inject(CONFIG) config: LoupeConfig) {
    this.transport = config.mail.smtpUrl ? createTransport(config.mail.smtpUrl) : null;
    this.from = config.mail.from;
  }

  get delivers(): boolean {
    return this.transport !== null;
  }

  async send(mail: Mail): Promise<void> {
    if (!this.transport) throw new Error('No mail server is configured (LOUPE_SMTP_URL).');
    await this.transport.sendMail({ from: this.from, ...mail });
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
