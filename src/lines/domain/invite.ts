/**
 * Invites: a text to the user with the link to download the capture app (seed 004), or,
 * at registration, their login details with it (seed 000, "Send the user login details
 * via text message"). No password travels: the app signs in by username.
 */
export type InviteKind = 'APP_LINK' | 'LOGIN_DETAILS';

export function inviteText(kind: InviteKind, appLink: string, username: string): string {
  return kind === 'APP_LINK'
    ? `Download the capture app: ${appLink}`
    : `Your username is ${username}. Download the capture app and sign in: ${appLink}`;
}

/**
 * Whether an invite may be asked for now, given when the last one was: the cooldown stops
 * a double click (or an impatient admin) from texting a user twice. Answers how many
 * seconds are left when it may not.
 */
export function cooldownLeft(lastRequestedAt: Date | null, now: Date, cooldownMinutes: number): number {
  if (!lastRequestedAt) return 0;
  const until = lastRequestedAt.getTime() + cooldownMinutes * 60_000;
  return Math.max(0, Math.ceil((until - now.getTime()) / 1000));
}

/** Where an invite stands, for the history: waiting to be sent, sent, or given up. */
export type InviteState = 'PENDING' | 'SENT' | 'FAILED';

export function inviteState(invite: { sentAt: Date | null; dueAt: Date | null }): InviteState {
  if (invite.sentAt) return 'SENT';
  return invite.dueAt ? 'PENDING' : 'FAILED';
}
