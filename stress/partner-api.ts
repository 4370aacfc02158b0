// The partner's side of the REST API, just what a run needs: connections and many users.

export class PartnerApi {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async post(path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'x-api-key': this.apiKey, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : null;
  }

  async createConnection(providerCode: string): Promise<void> {
    await this.post('/api/v1/connections', { imap_provider_code: providerCode });
  }

  /** Creates users with `concurrency` requests in flight; `onProgress` hears the running count. */
  async createUsers(
    users: Array<{ providerCode: string; username: string; password: string }>,
    concurrency = 20,
    onProgress?: (done: number) => void,
  ): Promise<void> {
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < users.length) {
        const user = users[next++];
        await this.post(`/api/v1/connections/${user.providerCode}/users`, {
          tag: user.username,
          login_username: user.username,
          login_password: user.password,
        });
        if (++done % 500 === 0) onProgress?.(done);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    onProgress?.(done);
  }
}
