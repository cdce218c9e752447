import { Injectable } from '@nestjs/common';
import { RequestCarrierProvisioning } from '../carriers/usecases/request-carrier-provisioning.usecase';
import { NotFoundError } from '../common/errors/domain-error';
import { maskMdn } from '../logging/mask';
import { canMove } from '../lines/domain/status-machine';
import { normalizeMdn } from '../lines/domain/mdn';
import { LinesRepository } from '../lines/persistence/lines.repository';
import { UsersRepository } from '../lines/persistence/users.repository';
import { ChangeLineStatus } from '../lines/usecases/change-line-status.usecase';
import { classifyReply } from './domain/opt-in-reply';

export interface SubscriberReply {
  from: string;
  text: string;
  receivedAt: Date;
}

const AWAITING_REPLY = new Set(['OPT_IN_SENT', 'INVALID_OPT_IN_RESPONSE']);

/** A subscriber's SMS reply to the opt-in text; the raw text is kept in the history. */
@Injectable()
export class HandleOptInReply {
  constructor(
    private readonly users: UsersRepository,
    private readonly lines: LinesRepository,
    private readonly changeLineStatus: ChangeLineStatus,
    private readonly requestProvisioning: RequestCarrierProvisioning,
  ) {}

  async execute(reply: SubscriberReply): Promise<{ outcome: string }> {
    const mdn = normalizeMdn(reply.from);
    const user = mdn.ok ? await this.users.findByMdn(mdn.e164) : null;
    const line = user ? await this.lines.find(user.id, 'verizon') : undefined;
    if (!user || !line) throw new NotFoundError(`No Verizon line for ${maskMdn(reply.from)}`);

    const kind = classifyReply(reply.text);
    const move = {
      userId: user.id,
      network: 'verizon' as const,
      source: 'OPT_IN_REPLY' as const,
      occurredAt: reply.receivedAt,
      detail: reply.text,
    };

    if (kind === 'OPT_OUT') {
      // STOP is honoured whatever the line's state: no more texts, and disabled where it can be.
      if (canMove('verizon', line.status, 'DISABLED')) {
        await this.changeLineStatus.execute({ ...move, to: 'DISABLED', flow: () => ({ optedOut: true }) });
      } else {
        await this.lines.updateFlow(line, { optedOut: true });
      }
      return { outcome: 'opted_out' };
    }
    if (!AWAITING_REPLY.has(line.status)) {
      await this.lines.recordUnapplied(line, {
        ...move,
        from: line.status,
        to: line.status,
        reason: 'Reply not expected',
      });
      return { outcome: 'ignored' };
    }
    if (kind === 'INVALID') {
      await this.changeLineStatus.execute({ ...move, to: 'INVALID_OPT_IN_RESPONSE' });
      return { outcome: 'invalid' };
    }
    await this.changeLineStatus.execute({ ...move, to: 'OPT_IN_RESPONSE_RECEIVED' });
    await this.requestProvisioning.execute(user.id, 'verizon', user.mdn);
    return { outcome: 'accepted' };
  }
}
