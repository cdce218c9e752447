import { SCIM_ENTERPRISE_SCHEMA, SCIM_USER_SCHEMA } from './scim-schemas';

/**
 * What the service tells a directory about itself (RFC 7643 5-7): PATCH yes, bulk, sort,
 * ETags and password changes no, filters up to `maxResults` per page, bearer tokens.
 */
export function serviceProviderConfig(maxResults: number) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://github.com/mdn-provisioning#directory-sync-scim',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: "The organisation's SCIM token (POST /v1/organization/scim-token)",
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: '/scim/v2/ServiceProviderConfig' },
  };
}

export const USER_RESOURCE_TYPE = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'A user whose mobile number (MDN) is provisioned',
  schema: SCIM_USER_SCHEMA,
  schemaExtensions: [{ schema: SCIM_ENTERPRISE_SCHEMA, required: false }],
  meta: { resourceType: 'ResourceType', location: '/scim/v2/ResourceTypes/User' },
};

const attribute = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'string',
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

const multiValued = (name: string, description: string) =>
  attribute(name, {
    type: 'complex',
    multiValued: true,
    required: true,
    description,
    subAttributes: [attribute('value'), attribute('type'), attribute('primary', { type: 'boolean' })],
  });

/** The attributes the service maps; the rest of the core schema is accepted and ignored. */
export const SCHEMAS = [
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id: SCIM_USER_SCHEMA,
    name: 'User',
    description: 'User account',
    attributes: [
      attribute('userName', { required: true, uniqueness: 'server' }),
      attribute('externalId', { caseExact: true }),
      attribute('name', {
        type: 'complex',
        required: true,
        subAttributes: [
          attribute('givenName', { required: true }),
          attribute('familyName', { required: true }),
        ],
      }),
      multiValued('emails', "The primary one is the user's email (required)"),
      multiValued('phoneNumbers', 'type "mobile": the MDN (required); type "work": the business phone'),
      attribute('active', { type: 'boolean' }),
    ],
    meta: { resourceType: 'Schema', location: `/scim/v2/Schemas/${SCIM_USER_SCHEMA}` },
  },
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id: SCIM_ENTERPRISE_SCHEMA,
    name: 'EnterpriseUser',
    description: 'Enterprise user',
    attributes: [attribute('employeeNumber', { description: "The user's unique customer code" })],
    meta: { resourceType: 'Schema', location: `/scim/v2/Schemas/${SCIM_ENTERPRISE_SCHEMA}` },
  },
];
