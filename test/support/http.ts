import { TEST_TOKENS } from './tokens';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export type Role = keyof typeof TEST_TOKENS;

/** A small JSON client over real HTTP, with the test token for a role and any headers given. */
export function apiClient(
  baseUrl: string,
  role: Role | null = 'admin',
  extraHeaders: Record<string, string> = {},
) {
  const call = async <T = any>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...extraHeaders };
    if (role) headers.authorization = `Bearer ${TEST_TOKENS[role]}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };
  return {
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, body?: unknown) => call<T>('POST', path, body ?? {}),
    patch: <T = any>(path: string, body: unknown) => call<T>('PATCH', path, body),
    put: <T = any>(path: string, body: unknown) => call<T>('PUT', path, body),
    delete: <T = any>(path: string) => call<T>('DELETE', path),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

/** A response body as loosely typed JSON, for assertions. */
export const readJson = (response: Response): Promise<any> => response.json();
