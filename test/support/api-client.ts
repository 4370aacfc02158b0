import { runCli } from './run-cli.js';

export interface ApiResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A partner's view of the REST API, over real HTTP. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly apiKey: string,
    readonly partnerId = '',
  ) {}

  /** Creates a partner with the CLI, as an operator would, and returns a client holding its key. */
  static async forNewPartner(baseUrl: string, name = 'Partner', extraArgs: string[] = []): Promise<ApiClient> {
    const result = await runCli(['partner', 'create', '--name', name, ...extraArgs]);
    if (result.code !== 0) throw new Error(`partner create failed: ${result.stderr}`);
    const { api_key: apiKey, id } = result.json as { api_key: string; id: string };
    return new ApiClient(baseUrl, apiKey, id);
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    options: { apiKey?: string | null; headers?: Record<string, string>; rawBody?: string } = {},
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const key = options.apiKey === undefined ? this.apiKey : options.apiKey;
    if (key !== null) headers['x-api-key'] = key;
    let payload: string | undefined = options.rawBody;
    if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // keep the text
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  get<T = any>(path: string, options?: Parameters<ApiClient['request']>[3]) {
    return this.request<T>('GET', path, undefined, options);
  }
  post<T = any>(path: string, body?: unknown, options?: Parameters<ApiClient['request']>[3]) {
    return this.request<T>('POST', path, body, options);
  }
  put<T = any>(path: string, body?: unknown, options?: Parameters<ApiClient['request']>[3]) {
    return this.request<T>('PUT', path, body, options);
  }
  delete<T = any>(path: string, options?: Parameters<ApiClient['request']>[3]) {
    return this.request<T>('DELETE', path, undefined, options);
  }
}

export const usersPath = (code: string, tag?: string) =>
  `/api/v1/connections/${code}/users${tag === undefined ? '' : `/${encodeURIComponent(tag)}`}`;

/** The user id inside a connect or disconnect URL (`/users/<action>/<user id>.<ts>.<signature>`). */
export function userIdOf(linkUrl: string): string {
  return new URL(linkUrl).pathname.split('/').at(-1)?.split('.')[0] ?? '';
}
