/** Bearer tokens the test config accepts, one per role. */
export const TEST_TOKENS = {
  owner: 'owner-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
  member: 'member-token-0123456789abcdef',
} as const;
