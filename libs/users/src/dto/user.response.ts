import { ApiProperty } from '@nestjs/swagger';

import { API_USER_STATES } from '../user-status.js';

/** User JSON: the seed's fields plus whether, and why not, the mailbox is watched. Secrets never appear. */
export class UserResponse {
  @ApiProperty({ example: 'MY_USER' })
  tag!: string;

  @ApiProperty({ nullable: true, type: String })
  email!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'When the mailbox was first reached with its current credentials; null until then.',
  })
  connected_at!: string | null;

  @ApiProperty()
  archived!: boolean;

  @ApiProperty({
    enum: API_USER_STATES,
    description:
      'archived; needs_credentials (none stored); else the mailbox session: idle, connecting, watching, auth_error, connect_error.',
  })
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
