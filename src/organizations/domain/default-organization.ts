/**
 * The organisation the organizations migration made: rows stored before organisations
 * existed moved to it, and tokens that name no organisation (`role:token`, the embedded
 * default's printed token) act in it.
 */
export const DEFAULT_ORGANIZATION = {
  id: '00000000-0000-4000-8000-000000000001',
  slug: 'default',
} as const;
