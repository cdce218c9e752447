import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { StaleWriteError } from '../common/errors/domain-error';
import { inParallel } from '../common/in-parallel';
import { PeriodicJob } from '../common/periodic-job';
import { ReconcileSignal } from '../common/reconcile-signal';
import { InjectConfig } from '../config/config.module';
import type { FlowConfig } from '../config/config';
import { Metrics, type StepOutcome } from '../metrics/metrics.service';
import { runInStoredTrace, runInTrace } from '../tracing/current-trace';
import { nextStep, type FlowRules, type Step } from './domain/next-step';
import { FlowRepository, type ClaimedLine, type ClaimedLookup } from './flow.repository';
import { FlowSteps } from './flow-steps';
import { ConsentTexts } from './consent-texts';

const BATCH = 100;
/** Lines worked on at once within a pass: calls to carriers overlap, the database is not flooded. */
const CONCURRENCY = 8;

/**
 * Level-triggered, like a Kubernetes controller: each pass claims the lines whose state
 * lags what was asked of them and takes each one step (a pure decision, `nextStep`), then
 * records when to look again. Any replica may run it; claims keep them off each other's
 * lines. A request's wake-up starts a pass at once; without one, the next poll finds the
 * work anyway, so a lost wake-up costs one interval.
 *
 * Each line's step runs in the trace of the request that asked for the work (stored with
 * the intent), so its calls and events carry that request's trace id; the pass itself
 * belongs to no request, even when one woke it.
 */
@Injectable()
export class Reconciler extends PeriodicJob implements OnApplicationBootstrap {
  private readonly log = new Logger(Reconciler.name);
  private readonly rules: FlowRules;
  private current: Promise<number> = Promise.resolve(0);
  private busy = false;
  private again = false;

  constructor(
    registry: SchedulerRegistry,
    @InjectConfig('flow') private readonly config: FlowConfig,
    private readonly lines: FlowRepository,
    private readonly steps: FlowSteps,
    private readonly signal: ReconcileSignal,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly texts: ConsentTexts,
  ) {
    super(registry, config.reconcileIntervalMs);
    this.rules = {
      maxSends: config.optIn.maxSends,
      resendIntervalMs: config.optIn.resendIntervalHours * 3_600_000,
      answerTimeoutMs: config.answerTimeoutMinutes * 60_000,
      retryAfterMs: config.retryAfterMs,
    };
  }

  onApplicationBootstrap(): void {
    if (this.config.wakeOnIntent) this.signal.subscribe(() => void this.run().catch(() => undefined));
    // How far behind the reconciler is: lines due and not taken (a claim moves a line's
    // due time past its lease, and a deferred call's to its retry), by the due-time index.
    this.metrics.onScrape(async () => {
      const { waiting, oldest } = await this.lines.waiting(this.clock.now());
      this.metrics.reconcilerWaitingLines.set(waiting);
      const age = oldest ? (this.clock.now().getTime() - oldest.getTime()) / 1000 : 0;
      this.metrics.reconcilerOldestWaitingAge.set(Math.max(0, age));
    });
  }

  /**
   * One pass over everything due. Passes never overlap in one process: a pass asked for
   * while one runs starts once it ends, so nothing recorded meanwhile waits for the poll.
   */
  override run(): Promise<number> {
    if (this.busy) {
      this.again = true;
      return this.current;
    }
    this.busy = true;
    // Lines of every organisation are reconciled alike (the base class's run says so).
    this.current = runInTrace(undefined, () => super.run()).finally(() => {
      this.busy = false;
      if (this.again) {
        this.again = false;
        void this.run().catch((error: unknown) => this.log.warn({ err: error }, 'Reconcile pass failed'));
      }
    });
    return this.current;
  }

  protected pass(): Promise<number> {
    return this.drain();
  }

  private async drain(): Promise<number> {
    let handled = 0;
    for (;;) {
      const now = this.clock.now();
      const lookups = await this.lines.claimLookups(now, this.config.leaseMs, BATCH);
      for (const lookup of lookups) await this.lookUp(lookup);
      const due = await this.lines.claimDue(now, this.config.leaseMs, BATCH);
      await inParallel(due, CONCURRENCY, (line) => this.reconcile(line));
      // The consent record's own texts (confirmations, HELP answers, reminders).
      const reminders = await this.texts.oweReminders(BATCH);
      const owed = await this.texts.claimOwed(BATCH);
      await inParallel(owed, CONCURRENCY, (text) =>
        runInStoredTrace(text.traceParent, () => this.texts.send(text)).catch((error: unknown) =>
          this.log.error({ err: error, lineId: text.lineId }, 'Owed text failed; it stays due'),
        ),
      );
      handled += due.length + lookups.length + owed.length + reminders;
      // A step often leaves its line due again at once (a New Request is followed by its
      // text): keep going while anything was claimed, so a wake-up carries a line as far
      // as it can go now. Each step moves its line on, or pushes it past the lease.
      if (due.length === 0 && lookups.length === 0 && owed.length === 0 && reminders === 0) return handled;
    }
  }

  /** One step for one line; a lost race is planned again once against the winner's state. */
  private reconcile(line: ClaimedLine): Promise<void> {
    return runInStoredTrace(line.traceParent, async () => {
      try {
        await this.step(line);
      } catch (error) {
        if (!(error instanceof StaleWriteError)) {
          this.log.error({ err: error, lineId: line.id }, 'Reconcile step failed; the line stays due');
          return;
        }
        const fresh = await this.lines.find(line.id);
        if (fresh) await this.step(fresh).catch((again: unknown) => this.leaveDue(line, again));
      }
    });
  }

  private async lookUp(lookup: ClaimedLookup): Promise<void> {
    await runInStoredTrace(lookup.traceParent, async () => {
      try {
        this.counted('look_up', await this.steps.lookUp(lookup));
      } catch (error) {
        this.counted('look_up', 'failed');
        throw error;
      }
    });
  }

  /** Takes the line's next step and counts it by kind and outcome. */
  private async step(line: ClaimedLine): Promise<void> {
    const step = nextStep(line, this.clock.now(), this.rules);
    try {
      this.counted(step.kind, (await this.take(step, line)) ?? 'done');
    } catch (error) {
      this.counted(step.kind, error instanceof StaleWriteError ? 'stale' : 'failed');
      throw error;
    }
  }

  private take(step: Step, line: ClaimedLine): Promise<StepOutcome | void> {
    switch (step.kind) {
      case 'wait':
        return this.lines.schedule(line, step.until);
      case 'settle':
        return this.lines.settle(line, this.clock.now());
      case 'begin_round':
        return this.steps.beginRound(line);
      case 'refuse_number':
        return this.steps.refuseNumber(line);
      case 'text_subscriber':
        return this.steps.textSubscriber(line, step.count);
      case 'request_carrier':
        return this.steps.requestCarrier(line);
      case 'send_again':
        return this.steps.sendAgain(line, step.inFlight);
      case 'give_up_waiting':
        return this.steps.giveUpWaiting(line);
    }
  }

  private counted(kind: Step['kind'] | 'look_up', outcome: StepOutcome): void {
    this.metrics.reconcilerSteps.inc({ kind, outcome });
  }

  private leaveDue(line: ClaimedLine, error: unknown): void {
    // Still claimed until the lease ends; then any replica takes it up again.
    this.log.warn({ err: error, lineId: line.id }, 'Reconcile step lost two races; the line stays due');
  }
}
