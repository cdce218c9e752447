/** The console's User Status labels: the one table the API and the events use. */
export const USER_STATUS_LABELS = {
  ACTIVE: 'Active',
  SUSPENDED: 'Suspended',
  DELETED: 'Deleted',
  LOCKED: 'Locked',
} as const;

export type UserStatusKey = keyof typeof USER_STATUS_LABELS;
