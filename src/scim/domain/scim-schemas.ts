/** The URNs RFC 7643/7644 name, in one place. */
export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SCIM_LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** What SCIM answers with; requests may also come as plain JSON (Entra ID sends either). */
export const SCIM_MEDIA_TYPE = 'application/scim+json';
export const SCIM_BODY_TYPES = [SCIM_MEDIA_TYPE, 'application/json'] as const;

/** RFC 7644 3.12 detail error keywords this service uses. */
export type ScimType =
  'invalidValue' | 'uniqueness' | 'invalidFilter' | 'invalidSyntax' | 'noTarget' | 'mutability';

/** A refusal in SCIM's own terms; the SCIM controllers' filter writes it as RFC 7644 3.12 says. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: ScimType,
  ) {
    super(message);
    this.name = 'ScimError';
  }
}
