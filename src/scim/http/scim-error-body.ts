import { SCIM_ERROR_SCHEMA, type ScimType } from '../domain/scim-schemas';

/** RFC 7644 3.12: the status is a string, scimType only where a keyword applies. */
export function scimErrorBody(status: number, detail: string, scimType?: ScimType) {
  return { schemas: [SCIM_ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
}
