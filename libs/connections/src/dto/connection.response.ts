import { ApiProperty } from '@nestjs/swagger';

/** Connection JSON, as in the seed, plus non-secret settings. */
export class ConnectionResponse {
  @ApiProperty({ example: 'GMAIL_OAUTH2' })
  imap_provider_code!: string;

  @ApiProperty({ description: 'Users of this connection that are not archived.' })
  users_count!: number;

  @ApiProperty({ enum: ['password', 'oauth2'] })
  auth!: string;

  @ApiProperty({ nullable: true, type: String })
  oauth2_client_id!: string | null;

  @ApiProperty({ description: 'Whether an OAuth2 client secret is stored (it is never returned).' })
  oauth2_client_secret_set!: boolean;

  @ApiProperty()
  created_at!: string;
}
