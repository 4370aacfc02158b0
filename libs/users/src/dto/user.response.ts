import { ApiProperty } from '@nestjs/swagger';

import { USER_STATES } from '../user.entity.js';

/** User JSON: the seed's fields plus whether, and why not, the mailbox is watched. Secrets never appear. */
export class UserResponse {
  @ApiProperty({ example: 'MY_USER' })
  tag!: string;

  @ApiProperty({ nullable: true, type: String })
  email!: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'When credentials were supplied; null if not connected.' })
  connected_at!: string | null;

  @ApiProperty()
  archived!: boolean;

  @ApiProperty({ enum: USER_STATES })
  state!: string;

  @ApiProperty({ nullable: true, type: String, description: 'Why the mailbox is not being watched, if it is not.' })
  last_error!: string | null;

  @ApiProperty()
  enable_tracer!: boolean;

  @ApiProperty({ nullable: true, type: String })
  last_email_at!: string | null;

  @ApiProperty({ description: 'Send the end user here to connect their mailbox; valid 30 minutes.' })
  connect_url!: string;

  @ApiProperty({ description: 'Send the end user here to disconnect their mailbox; valid 30 minutes.' })
  disconnect_url!: string;

  @ApiProperty()
  created_at!: string;
}
