/** Every column holding SecretBox ciphertext, keyed by table; `keys rotate` walks exactly these. */
export const ENCRYPTED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  partners: ['api_key', 'webhook_secret', 'previous_webhook_secret'],
  partner_connections: ['oauth2_client_secret'],
  users: ['login_password', 'oauth2_refresh_token', 'oauth2_access_token'],
  webhook_events: ['body'],
};
