import { SCIM_ENTERPRISE_SCHEMA, SCIM_USER_SCHEMA, ScimError } from './scim-schemas';

/**
 * A SCIM User as this service reads it: the attributes it maps, every other one ignored
 * (RFC 7644 3.3: a service provider may drop attributes it does not support).
 */
export interface ScimUserFields {
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  /** As sent; the use cases normalise it to E.164 as the API does. */
  mdn: string;
  businessPhone: string | null;
  customerCode: string | null;
  /** Undefined when the body has none: kept as it is (Okta's PUT leaves it out). */
  externalId: string | null | undefined;
  active: boolean;
}

/** The stored user, as much of it as SCIM shows. */
export interface StoredUser {
  id: string;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  mdn: string;
  businessPhone: string | null;
  customerCode: string | null;
  externalId: string | null;
  status: 'ACTIVE' | 'SUSPENDED' | 'DELETED' | 'LOCKED';
  registeredAt: Date;
  updatedAt: Date;
}

type Json = Record<string, unknown>;

interface MultiValue {
  value?: unknown;
  type?: unknown;
  primary?: unknown;
}

/** Reads a SCIM User (POST, PUT, or the result of a PATCH); a missing required attribute is a 400 invalidValue. */
export function fromScimUser(body: unknown): ScimUserFields {
  if (!isObject(body)) throw new ScimError(400, 'The body must be a SCIM User object', 'invalidSyntax');
  const resource = lowerKeys(body);
  const name = isObject(resource.name) ? lowerKeys(resource.name) : {};
  const enterprise = enterpriseOf(body);
  const emails = multiValues(resource.emails);
  const phones = multiValues(resource.phonenumbers);
  const email = emails.find((entry) => asBoolean(entry.primary) === true) ?? emails[0];
  const mobile = phones.find((entry) => typeIs(entry, 'mobile'));
  const work = phones.find((entry) => typeIs(entry, 'work'));
  return {
    username: required(resource.username, 'userName'),
    firstName: required(name.givenname, 'name.givenName'),
    lastName: required(name.familyname, 'name.familyName'),
    email: required(email?.value, 'emails[primary].value'),
    mdn: required(mobile?.value, 'phoneNumbers[type eq "mobile"].value'),
    businessPhone: optional(work?.value),
    customerCode: optional(enterprise.employeenumber),
    externalId: resource.externalid === undefined ? undefined : optional(resource.externalid),
    active: resource.active === undefined ? true : activeOf(resource.active),
  };
}

/** The stored user as a SCIM User resource. */
export function toScimUser(user: StoredUser, location: string): Json {
  const phoneNumbers = [{ value: user.mdn, type: 'mobile', primary: true }];
  if (user.businessPhone) phoneNumbers.push({ value: user.businessPhone, type: 'work', primary: false });
  return {
    schemas: [SCIM_USER_SCHEMA, SCIM_ENTERPRISE_SCHEMA],
    id: user.id,
    ...(user.externalId ? { externalId: user.externalId } : {}),
    userName: user.username,
    name: {
      givenName: user.firstName,
      familyName: user.lastName,
      formatted: `${user.firstName} ${user.lastName}`,
    },
    displayName: `${user.firstName} ${user.lastName}`,
    emails: [{ value: user.email, type: 'work', primary: true }],
    phoneNumbers,
    active: user.status === 'ACTIVE',
    [SCIM_ENTERPRISE_SCHEMA]: user.customerCode ? { employeeNumber: user.customerCode } : {},
    meta: {
      resourceType: 'User',
      created: user.registeredAt.toISOString(),
      lastModified: user.updatedAt.toISOString(),
      location,
    },
  };
}

/**
 * `active` as the directories send it: a boolean, or (Entra ID in PATCH) the strings
 * "True"/"False" in any case.
 */
export function activeOf(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw new ScimError(400, 'active must be a boolean', 'invalidValue');
}

/** The enterprise extension's attributes, under its URN (keys matched case-insensitively). */
function enterpriseOf(body: Json): Json {
  const key = Object.keys(body).find((name) => name.toLowerCase() === SCIM_ENTERPRISE_SCHEMA.toLowerCase());
  const extension = key ? body[key] : undefined;
  return isObject(extension) ? lowerKeys(extension) : {};
}

/** SCIM attribute names are case-insensitive (RFC 7643 2.1): read them folded. */
function lowerKeys(object: Json): Json {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key.toLowerCase(), value]));
}

function multiValues(value: unknown): MultiValue[] {
  return Array.isArray(value) ? value.filter(isObject).map((entry) => lowerKeys(entry) as MultiValue) : [];
}

function typeIs(entry: MultiValue, type: string): boolean {
  return typeof entry.type === 'string' && entry.type.toLowerCase() === type;
}

function asBoolean(value: unknown): boolean | undefined {
  try {
    return activeOf(value);
  } catch {
    return undefined;
  }
}

function required(value: unknown, attribute: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ScimError(400, `${attribute} is required`, 'invalidValue');
  }
  return value.trim();
}

function optional(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
