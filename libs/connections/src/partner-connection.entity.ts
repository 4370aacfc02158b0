import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';

import { ImapProvider } from '@app/providers';

/** A partner's use of one IMAP provider, with the partner's own OAuth2 client where the provider needs one. */
@Entity('partner_connections')
export class PartnerConnection {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  partnerId!: string;

  @Column('uuid')
  imapProviderId!: string;

  @ManyToOne(() => ImapProvider, { eager: true, nullable: false })
  @JoinColumn({ name: 'imap_provider_id' })
  provider!: ImapProvider;

  @Column('text', { nullable: true })
  oauth2ClientId!: string | null;

  /** SecretBox ciphertext. */
  @Column('text', { nullable: true })
  oauth2ClientSecret!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
