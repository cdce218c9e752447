import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../config/config.module';
import type { Db } from '../database/database.service';
import type { ConsentConfig } from '../config/config';
import { OrganizationDirectory } from '../organizations/organization-directory';
import { storedTraceparent } from '../tracing/current-trace';
import { mdnHash, type ConsentEntry, type ConsentEntryKind, type ConsentFacts } from './domain/consent-entry';
import { defaultTemplate, type ConsentTemplate } from './domain/consent-template';
import { ConsentLedgerRepository } from './persistence/consent-ledger.repository';
import { ConsentTemplatesRepository } from './persistence/consent-templates.repository';
import { SubscriberTextsRepository, type OwedText } from './persistence/subscriber-texts.repository';

export type { OwedText };

/** The line an entry is about, as callers know it: with its number, or its number's hash already. */
export type LedgerLine = { organizationId: string; userId: string; lineId: string } & (
  { mdn: string } | { mdnHash: string }
);

/** A text the entries call for. */
export interface OwedRequest {
  kind: 'HELP_ANSWERED' | 'REMINDER_SENT' | 'CONFIRMATION_SENT';
  key: string;
  at: Date;
  confirms?: 'opt-in' | 'opt-out';
}

export type EntryFacts = Omit<ConsentFacts, 'organizationId' | 'userId' | 'lineId' | 'mdnHash'>;

/** Which wording an owed text takes from the template. */
const WORDING: Partial<Record<ConsentEntryKind, keyof ConsentTemplate>> = {
  HELP_ANSWERED: 'helpText',
  REMINDER_SENT: 'reminderText',
};

/**
 * What the provisioning flow asks of consent records: append entries, find the wording
 * in force, owe the subscriber a text. The flow's use cases call this; the tables are
 * the consent module's own.
 */
@Injectable()
export class ConsentLedger {
  constructor(
    private readonly ledger: ConsentLedgerRepository,
    private readonly templates: ConsentTemplatesRepository,
    private readonly texts: SubscriberTextsRepository,
    private readonly organizations: OrganizationDirectory,
    @InjectConfig('consent') private readonly config: ConsentConfig,
  ) {}

  record(line: LedgerLine, ...entries: EntryFacts[]): Promise<ConsentEntry[]> {
    return this.ledger.appendAll(entries.map((entry) => this.facts(line, entry)));
  }

  /** The wording in force for the organisation: its newest version, else the built-in one. */
  async template(organizationId: string): Promise<ConsentTemplate> {
    const own = await this.templates.current(organizationId);
    if (own) return own;
    const organization = await this.organizations.find({ id: organizationId });
    return defaultTemplate(
      this.config.defaultOptInText,
      organization?.name ?? 'Your employer',
      this.config.helpContact,
    );
  }

  /**
   * Records entries and owes the subscriber a text of this kind in the wording in force
   * now (its version is recorded with it), in one transaction; `key` makes owing it twice
   * one text. Without entries, only owes it (a reminder).
   */
  async recordAndOwe(line: LedgerLine, owed: OwedRequest, ...entries: EntryFacts[]): Promise<void> {
    const write = await this.recorder(line, owed, ...entries);
    await this.ledger.appendAll(write.facts, write.owed);
  }

  /**
   * The same writes, to be made in another module's transaction (a line's move, so the
   * move and its record land together): the wording is looked up now, the writes then.
   */
  async recorderFor(
    line: LedgerLine,
    owed: OwedRequest | null,
    ...entries: EntryFacts[]
  ): Promise<(tx: Db) => Promise<void>> {
    const write = await this.recorder(line, owed, ...entries);
    return async (tx) => {
      await this.ledger.appendAllIn(tx, write.facts, write.owed);
    };
  }

  private async recorder(line: LedgerLine, owed: OwedRequest | null, ...entries: EntryFacts[]) {
    const facts = entries.map((entry) => this.facts(line, entry));
    if (!owed) return { facts, owed: undefined };
    const template = await this.template(line.organizationId);
    const field =
      WORDING[owed.kind] ?? (owed.confirms === 'opt-out' ? 'optOutConfirmation' : 'optInConfirmation');
    return {
      facts,
      owed: {
        organizationId: line.organizationId,
        userId: line.userId,
        lineId: line.lineId,
        kind: owed.kind,
        text: String(template[field]),
        templateVersion: template.versionId,
        key: owed.key,
        dueAt: owed.at,
        traceParent: storedTraceparent(),
      },
    };
  }

  consentOf(lineId: string): Promise<'GIVEN' | 'REVOKED' | 'NONE'> {
    return this.ledger.consentOf(lineId);
  }

  /** Owed texts due now, claimed for `leaseMs` (the reconciler sends them). */
  claimOwed(now: Date, leaseMs: number, limit: number): Promise<OwedText[]> {
    return this.texts.claimDue(now, leaseMs, limit);
  }

  /** The gateway could not take an owed text now: it is tried again at `at`. */
  owedLater(text: OwedText, at: Date): Promise<void> {
    return this.texts.retryAt(text.id, at);
  }

  /** An owed text was sent (and recorded), or is moot: it is owed no more. */
  owedDone(text: OwedText): Promise<void> {
    return this.texts.done(text.id);
  }

  findText(gatewayMessageId: string): Promise<ConsentEntry | undefined> {
    return this.ledger.findText(gatewayMessageId);
  }

  private facts(line: LedgerLine, entry: EntryFacts): ConsentFacts {
    return {
      ...entry,
      organizationId: line.organizationId,
      userId: line.userId,
      lineId: line.lineId,
      mdnHash: 'mdnHash' in line ? line.mdnHash : mdnHash(this.config.mdnHashKey, line.mdn),
    };
  }
}
