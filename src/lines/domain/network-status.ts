/**
 * The one table of status labels. `label` is how the admin console's Network Status
 * column shows a status; `redReason` is how the RED indicator names it (the console's
 * wording differs: "Opt-in Sent" there, "Opt-In Sent" here).
 */
export const NETWORK_STATUSES = {
  NO_STATUS: { label: 'No Status', redReason: 'No Status', verizonOnly: false },
  NOT_COMMUNICATING: { label: 'Not Communicating', redReason: 'Not Communicating', verizonOnly: false },
  DISABLED: { label: 'Disabled', redReason: 'Disabled', verizonOnly: false },
  ENABLED: { label: 'Enabled', redReason: 'Enabled', verizonOnly: false },
  NEW_REQUEST: { label: 'New Request', redReason: 'New Request', verizonOnly: true },
  OPT_IN_SENT: { label: 'Opt-in Sent', redReason: 'Opt-In Sent', verizonOnly: true },
  OPT_IN_RESPONSE_RECEIVED: {
    label: 'Opt-in Response Received',
    redReason: 'Opt-In Response Received',
    verizonOnly: true,
  },
  INVALID_OPT_IN_RESPONSE: {
    label: 'Invalid Opt-in Response',
    redReason: 'Invalid Opt-In Response',
    verizonOnly: true,
  },
  PENDING_PROVISIONING: {
    label: 'Pending provisioning',
    redReason: 'Pending Provisioning',
    verizonOnly: true,
  },
  UNABLE_TO_PROVISION: { label: 'Unable to Provision', redReason: 'Unable to Provision', verizonOnly: true },
} as const;

export type NetworkStatus = keyof typeof NETWORK_STATUSES;
export const NETWORK_STATUS_KEYS = Object.keys(NETWORK_STATUSES) as NetworkStatus[];

export function isNetworkStatus(value: string): value is NetworkStatus {
  return Object.hasOwn(NETWORK_STATUSES, value);
}

export function statusLabel(status: NetworkStatus): string {
  return NETWORK_STATUSES[status].label;
}

/** Reasons a line can fail for, besides a carrier's own free text. */
export const FAILURE_REASONS = {
  INVALID_NUMBER: 'Invalid Number',
  REMOVE_MESSAGE_BLOCK: 'Remove Message Block',
  PORTED_OUT: 'Ported Out',
} as const;

export type FailureReason = (typeof FAILURE_REASONS)[keyof typeof FAILURE_REASONS];

/** What changed a line: kept in its history and in its events. */
export const TRANSITION_SOURCES = [
  'API',
  'CARRIER_CALLBACK',
  'OPT_IN_REPLY',
  'OPT_IN_SEND',
  'SWEEP',
  'SYSTEM',
  'SCIM',
] as const;
export type TransitionSource = (typeof TRANSITION_SOURCES)[number];
