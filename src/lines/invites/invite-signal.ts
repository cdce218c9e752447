import { Injectable } from '@nestjs/common';
import { WakeSignal } from '../../common/wake-signal';

/** "An invite was recorded": heard by the invite sender, which then sends at once. */
@Injectable()
export class InviteSignal extends WakeSignal {}
