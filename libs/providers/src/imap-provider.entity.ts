import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type ProviderAuth = 'password' | 'oauth2';
export type TransportSecurity = 'tls' | 'starttls' | 'none';

/** An IMAP service partners connect to, e.g. GMAIL_OAUTH2; `code` is how the API names it. */
@Entity('imap_providers')
export class ImapProvider {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  code!: string;

  @Column('text')
  title!: string;

  @Column('text')
  auth!: ProviderAuth;

  @Column('text')
  imapHost!: string;

  @Column('integer')
  imapPort!: number;

  @Column('text')
  imapSecurity!: TransportSecurity;

  @Column('text', { nullable: true })
  smtpHost!: string | null;

  @Column('integer', { nullable: true })
  smtpPort!: number | null;

  @Column('text', { nullable: true })
  smtpSecurity!: TransportSecurity | null;

  @Column('text', { nullable: true })
  oauth2AuthorizeUrl!: string | null;

  @Column('text', { nullable: true })
  oauth2TokenUrl!: string | null;

  @Column('text', { nullable: true })
  oauth2UserinfoUrl!: string | null;

  @Column('text', { nullable: true })
  oauth2RevokeUrl!: string | null;

  @Column('text', { nullable: true })
  oauth2Scope!: string | null;

  @Column('jsonb', { default: {} })
  oauth2Params!: Record<string, string>;

  /** PEM certificates to trust for this provider's IMAP server (a private CA or a self-signed certificate). */
  @Column('text', { nullable: true })
  tlsCa!: string | null;

  /** Skip certificate checks entirely: refused in production (ImapConnector), for test servers only. */
  @Column('boolean', { default: false })
  tlsInsecure!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
