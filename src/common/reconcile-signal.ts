import { Injectable } from '@nestjs/common';
import { WakeSignal } from './wake-signal';

/** "Something was asked of a line": heard by the reconciler, which then starts a pass at once. */
@Injectable()
export class ReconcileSignal extends WakeSignal {}
