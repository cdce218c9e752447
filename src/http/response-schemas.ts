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
  description:
    'accepted (202: stored, applied by the inbox worker) or duplicate (200: this payload id or webhook-id was stored before; nothing more happens)',
  properties: { status: { type: 'string', enum: ['accepted', 'duplicate'] } },
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
