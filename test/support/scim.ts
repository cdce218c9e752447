import { TEST_TOKENS } from './tokens';

/** A second organisation, with an owner, and an operator to create it. */
export const OTHER_ORG = 'other-org';
export const OTHER_OWNER_TOKEN = 'owner-other-org-token-0123456789abcdef';
export const OPERATOR_TOKEN = 'operator-token-0123456789abcdef';

/** The test tokens of the default organisation, plus the other organisation's owner and an operator. */
export const SCIM_TEST_ENV = {
  ADMIN_API_TOKENS: [
    ...Object.entries(TEST_TOKENS).map(([role, token]) => `${role}:${token}`),
    `owner@${OTHER_ORG}:${OTHER_OWNER_TOKEN}`,
    `operator:${OPERATOR_TOKEN}`,
  ].join(','),
};

export interface ScimResponse {
  status: number;
  contentType: string | null;
  body: any;
}

/** A SCIM client: the directory's bearer token, bodies as application/scim+json. */
export function scimClient(baseUrl: string, token: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<ScimResponse> => {
    const response = await fetch(`${baseUrl}/scim/v2${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/scim+json',
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: text ? JSON.parse(text) : undefined,
    };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown) => call('POST', path, body),
    put: (path: string, body: unknown) => call('PUT', path, body),
    patch: (path: string, body: unknown) => call('PATCH', path, body),
    delete: (path: string) => call('DELETE', path),
  };
}

export type ScimClient = ReturnType<typeof scimClient>;

/** Creates (or rotates) an organisation's SCIM token through the admin API, as its owner. */
export async function issueScimToken(baseUrl: string, ownerToken: string, organization?: string) {
  const response = await fetch(`${baseUrl}/v1/organization/scim-token`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${ownerToken}`,
      ...(organization ? { 'x-organization': organization } : {}),
    },
  });
  const body = (await response.json()) as { token: string };
  if (response.status !== 201) throw new Error(`scim-token: ${response.status} ${JSON.stringify(body)}`);
  return body.token;
}

export const filterQuery = (filter: string) => `?filter=${encodeURIComponent(filter)}`;
