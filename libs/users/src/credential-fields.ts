// Kept out of the DTOs (which load @nestjs/swagger) so that the service reads it in every role.
/** Credential fields and the provider kind that accepts each. */
export const CREDENTIAL_FIELDS = {
  login_username: 'password',
  login_password: 'password',
  oauth2_refresh_token: 'oauth2',
} as const;
