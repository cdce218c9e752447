import { inviteState } from '../domain/invite';
import type { UserInvite } from '../persistence/invites.repository';

/** An invite as the API shows it (the number and text stay in the database). */
export interface InviteView {
  id: string;
  kind: string;
  state: string;
  requestedAt: string;
  sentAt: string | null;
}

export function presentInvite(invite: UserInvite): InviteView {
  return {
    id: invite.id,
    kind: invite.kind,
    state: inviteState(invite),
    requestedAt: invite.requestedAt.toISOString(),
    sentAt: invite.sentAt?.toISOString() ?? null,
  };
}
