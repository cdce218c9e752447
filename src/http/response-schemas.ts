import type { ApiResponseSchemaHost } from '@nestjs/swagger';

type SchemaObject = ApiResponseSchemaHost['schema'];

/**
 * Response schemas of the routes whose bodies are small literals rather than view
 * classes, so the OpenAPI document describes every response (a typed client can be
 * generated). Views of users and lines are in src/lines/http/views.dto.ts.
 */
export const ORGANIZATION_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'name', 'slug', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    slug: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

export const ORGANIZATIONS_PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: ORGANIZATION_SCHEMA } },
};

export const SCIM_TOKEN_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['token', 'tokenType', 'baseUrl'],
  properties: {
    token: { type: 'string', description: 'Shown once' },
    tokenType: { type: 'string', enum: ['Bearer'] },
    baseUrl: { type: 'string', example: '/scim/v2' },
  },
};

export const WEBHOOK_ANSWER_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status'],
  description: 'accepted (with what it did) or duplicate (a delivery id already taken: nothing changed)',
  properties: {
    status: { type: 'string', enum: ['accepted', 'duplicate'] },
    applied: { type: 'boolean', description: 'A status callback: whether the move was applied' },
    why: { type: 'string', description: 'Why it was not applied' },
    outcome: { type: 'string', description: 'An SMS reply: what it did to the opt-in' },
  },
  additionalProperties: true,
};

export const HEALTH_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error', 'shutting_down'] },
    info: { type: 'object', additionalProperties: true },
    error: { type: 'object', additionalProperties: true },
    details: { type: 'object', additionalProperties: true },
  },
};
