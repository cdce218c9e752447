import { aUser } from '../support/factories';
import { DATABASE_KINDS } from '../support/databases';
import { startFlow, type FlowHarness } from '../support/flow';
import { kinds, ledgerOf, replyAs, type LedgerEntry } from '../support/consent';
import { apiClient } from '../support/http';

const DEFAULT_OPT_IN =
  'Reply YES to allow your employer to capture messages on this line. Reply STOP to opt out.';

interface Wording {
  versionId: string;
  version: number;
  optInText: string;
  helpText: string;
  optInConfirmation: string;
  optOutConfirmation: string;
  reminderText: string;
}

describe.each(DATABASE_KINDS)(
  'the consent ledger through the carrier simulator on %s',
  (_kind, createDatabase) => {
    let flow: FlowHarness;
    let wording: Wording;

    beforeAll(async () => {
      flow = await startFlow({ CONSENT_REMINDERS: 'quarterly' }, createDatabase);
      wording = (await flow.admin.get<Wording>('/v1/organization/consent-template')).body;
    });
    afterAll(() => flow.stop());

    const register = async () => {
      const response = await flow.admin.post('/v1/users', aUser({ network: 'verizon' }));
      expect(response.status).toBe(201);
      await flow.settle();
      return response.body as { id: string; mdn: string };
    };
    const line = async (id: string) => (await flow.admin.get(`/v1/users/${id}/networks`)).body[0];
    const ledger = (id: string) => ledgerOf(flow, id);
    const sent = (entry: Pick<LedgerEntry, 'kind' | 'messageText' | 'templateVersion'>) => ({
      kind: entry.kind,
      messageText: entry.messageText,
      templateVersion: entry.templateVersion,
    });

    it('the built-in wording is version 0, named by a hash of its words, and names the business and a contact', () => {
      expect(wording).toMatchObject({ version: 0, optInText: DEFAULT_OPT_IN });
      expect(wording.versionId).toMatch(/^default-[0-9a-f]{12}$/);
      expect(wording.helpText).toMatch(/Reply STOP to opt out\. Help: your IT administrator\./);
    });

    it('YES: the text sent, the reply as read, the consent and one confirmation, with exact texts and versions', async () => {
      const user = await register();
      expect(await replyAs(flow, user.mdn, 'YES')).toBe(202);
      expect((await line(user.id)).status).toBe('ENABLED');

      const record = await ledger(user.id);
      expect(record.consent).toBe('GIVEN');
      expect(kinds(record)).toEqual(['TEXT_SENT', 'REPLY_RECEIVED', 'CONSENT_GIVEN', 'CONFIRMATION_SENT']);
      const [text, reply, , confirmation] = record.entries;
      expect(text).toMatchObject({
        source: 'SYSTEM',
        messageText: DEFAULT_OPT_IN,
        templateVersion: wording.versionId,
        deliveryStatus: 'ACCEPTED',
        gatewayMessageId: flow.simulator.messagesTo(user.mdn)[0].messageId,
      });
      expect(reply).toMatchObject({ source: 'SUBSCRIBER', replyText: 'YES', replyReading: 'YES' });
      expect(sent(confirmation)).toEqual({
        kind: 'CONFIRMATION_SENT',
        messageText: wording.optInConfirmation,
        templateVersion: wording.versionId,
      });
      // One confirmation, with nothing else in it: exactly the approved words.
      expect(flow.simulator.messagesTo(user.mdn).map((m) => m.text)).toEqual([
        DEFAULT_OPT_IN,
        wording.optInConfirmation,
      ]);
    });

    it('HELP is answered with the help text; the line still waits for YES', async () => {
      const user = await register();
      await replyAs(flow, user.mdn, 'help');
      expect((await line(user.id)).status).toBe('OPT_IN_SENT');
      const record = await ledger(user.id);
      expect(kinds(record)).toEqual(['TEXT_SENT', 'REPLY_RECEIVED', 'HELP_ANSWERED']);
      expect(record.entries[1]).toMatchObject({ replyText: 'help', replyReading: 'HELP' });
      expect(sent(record.entries[2])).toEqual({
        kind: 'HELP_ANSWERED',
        messageText: wording.helpText,
        templateVersion: wording.versionId,
      });
      expect(record.consent).toBe('NONE');
    });

    it.each(['STOP', 'quit', 'End', 'REVOKE', 'opt out', 'Cancel', 'UNSUBSCRIBE', 'stopall'])(
      '%s revokes: the line is disabled at once, one opt-out confirmation, nothing more',
      async (keyword) => {
        const user = await register();
        await replyAs(flow, user.mdn, keyword);
        expect((await line(user.id)).status).toBe('DISABLED');
        const record = await ledger(user.id);
        expect(record.consent).toBe('REVOKED');
        expect(kinds(record)).toEqual([
          'TEXT_SENT',
          'REPLY_RECEIVED',
          'CONSENT_REVOKED',
          'CONFIRMATION_SENT',
        ]);
        expect(record.entries[1]).toMatchObject({ replyText: keyword, replyReading: 'STOP_KEYWORD' });
        expect(record.entries[3].messageText).toBe(wording.optOutConfirmation);
        // A second STOP is recorded, and confirmed no more; time brings no texts.
        await replyAs(flow, user.mdn, 'STOP');
        flow.clock.advanceDays(3);
        await flow.settle();
        expect(flow.simulator.messagesTo(user.mdn).map((m) => m.text)).toEqual([
          DEFAULT_OPT_IN,
          wording.optOutConfirmation,
        ]);
        expect(kinds(await ledger(user.id)).at(-1)).toBe('REPLY_RECEIVED');
      },
    );

    it('a revocation is honoured from then on: the carrier’s late Enabled for the request made before it enables nothing', async () => {
      const user = await register();
      flow.simulator.script(user.mdn, { kind: 'silent' });
      await replyAs(flow, user.mdn, 'YES');
      expect((await line(user.id)).status).toBe('PENDING_PROVISIONING');
      await replyAs(flow, user.mdn, 'STOP');
      expect((await line(user.id)).status).toBe('DISABLED');
      const late = await flow.simulator.deliver('verizon', {
        type: 'provisioning.updated',
        callbackId: `late-${user.id}`,
        occurredAt: flow.clock.now().toISOString(),
        mdn: user.mdn,
        status: 'ENABLED',
      });
      expect(late.status).toBe(202);
      await flow.settle();
      expect((await line(user.id)).status).toBe('DISABLED');
      const history = (await flow.admin.get(`/v1/users/${user.id}/networks/verizon/history`)).body;
      expect(history[0]).toMatchObject({
        to: 'ENABLED',
        applied: false,
        unappliedReason: 'the subscriber revoked consent',
      });
    });

    it('free text that asks to stop revokes, read as a phrase', async () => {
      const user = await register();
      await replyAs(flow, user.mdn, 'Please stop texting me, thanks');
      expect((await line(user.id)).status).toBe('DISABLED');
      const record = await ledger(user.id);
      expect(record.entries[1]).toMatchObject({
        replyText: 'Please stop texting me, thanks',
        replyReading: 'STOP_PHRASE',
      });
      expect(kinds(record)).toContain('CONSENT_REVOKED');
    });

    it('undelivered then delivered: the first text counts as not sent, is sent again, and the reason shows meanwhile', async () => {
      const body = aUser({ network: 'verizon' });
      flow.simulator.queueDeliveries(
        body.mdn,
        { status: 'UNDELIVERED', reason: 'roaming' },
        { status: 'DELIVERED' },
      );
      const user = (await flow.admin.post('/v1/users', body)).body as { id: string; mdn: string };
      await flow.settle();
      expect((await line(user.id)).tooltip).toContain('opt-in text undelivered: roaming');

      flow.clock.advanceSeconds(31);
      await flow.settle();
      const record = await ledger(user.id);
      expect(kinds(record)).toEqual(['TEXT_SENT', 'DELIVERY_REPORTED', 'TEXT_SENT', 'DELIVERY_REPORTED']);
      const [first, undelivered, second, delivered] = record.entries;
      expect(undelivered).toMatchObject({
        source: 'CARRIER',
        deliveryStatus: 'UNDELIVERED',
        deliveryReason: 'roaming',
        refersTo: first.id,
        gatewayMessageId: first.gatewayMessageId,
      });
      expect(delivered).toMatchObject({ deliveryStatus: 'DELIVERED', refersTo: second.id });
      expect(second.messageText).toBe(DEFAULT_OPT_IN);
      // Not counted against the cap: the second send is text 1 of 5 again.
      const history = (await flow.admin.get(`/v1/users/${user.id}/networks/verizon/history`)).body as {
        source: string;
        detail: string;
      }[];
      expect(history.filter((step) => step.source === 'OPT_IN_SEND').map((step) => step.detail)).toEqual([
        'opt-in text 1 of 5',
        'opt-in text 1 of 5',
      ]);
      expect((await line(user.id)).tooltip).not.toContain('undelivered');
      // A receipt for a text nobody recorded (yet) is stored, to be applied once the text is;
      // a bad one is refused.
      const unknown = {
        receiptId: 'r-unknown',
        messageId: 'nope',
        status: 'DELIVERED',
        occurredAt: flow.clock.now().toISOString(),
      };
      const path = '/v1/webhooks/sms/delivery';
      expect((await flow.simulator.deliver('sms', unknown, undefined, undefined, path)).status).toBe(202);
      const bad = { ...unknown, receiptId: 'r-bad', status: 'LOST' };
      expect((await flow.simulator.deliver('sms', bad, undefined, undefined, path)).status).toBe(400);
    });

    it('a reminder a quarter after the consent, each in the ledger, none before it is due', async () => {
      const user = await register();
      await replyAs(flow, user.mdn, 'YES');
      flow.clock.advanceDays(80);
      await flow.settle();
      expect(kinds(await ledger(user.id))).not.toContain('REMINDER_SENT');
      flow.clock.advanceDays(15);
      await flow.settle();
      await flow.settle();
      const record = await ledger(user.id);
      const reminders = record.entries.filter((entry) => entry.kind === 'REMINDER_SENT');
      expect(reminders.map(sent)).toEqual([
        { kind: 'REMINDER_SENT', messageText: wording.reminderText, templateVersion: wording.versionId },
      ]);
      expect(flow.simulator.messagesTo(user.mdn).at(-1)?.text).toBe(wording.reminderText);
    });

    it('a revocation, then an administrator’s new round (with a reason, in the ledger), then YES again', async () => {
      const user = await register();
      await replyAs(flow, user.mdn, 'YES');
      await replyAs(flow, user.mdn, 'STOP');
      expect((await line(user.id)).status).toBe('DISABLED');
      const path = `/v1/users/${user.id}/networks/verizon`;
      expect((await flow.admin.post(`${path}/opt-in/resend`)).status).toBe(409);
      expect((await flow.admin.post(`${path}/provision`)).status).toBe(202);
      await flow.settle();
      expect((await line(user.id)).status).toBe('DISABLED'); // a plain provisioning request is not enough
      expect((await flow.admin.post(`${path}/consent/new-round`, { reason: ' ' })).status).toBe(400);

      const restart = await flow.admin.post(`${path}/consent/new-round`, {
        reason: 'Subscriber asked HR to re-enrol',
      });
      expect(restart.status).toBe(202);
      await flow.settle();
      expect((await line(user.id)).status).toBe('OPT_IN_SENT');
      expect((await flow.admin.post(`${path}/consent/new-round`, { reason: 'again' })).status).toBe(409);
      await replyAs(flow, user.mdn, 'YES');
      expect((await line(user.id)).status).toBe('ENABLED');

      const record = await ledger(user.id);
      expect(kinds(record)).toEqual([
        'TEXT_SENT',
        'REPLY_RECEIVED',
        'CONSENT_GIVEN',
        'CONFIRMATION_SENT',
        'REPLY_RECEIVED',
        'CONSENT_REVOKED',
        'CONFIRMATION_SENT',
        'ROUND_RESTARTED',
        'TEXT_SENT',
        'REPLY_RECEIVED',
        'CONSENT_GIVEN',
        'CONFIRMATION_SENT',
      ]);
      expect(record.entries[7]).toMatchObject({
        source: 'ADMIN',
        actor: 'static:admin',
        messageText: 'Subscriber asked HR to re-enrol',
      });
      expect(record.consent).toBe('GIVEN');
      expect((await flow.admin.get(`${path}/consent/verify`)).body).toEqual({ intact: true, entries: 12 });
    });

    it('an organisation’s own wording: each save a new version, recorded with every text sent in it', async () => {
      const own = {
        optInText: 'Acme: reply YES to let Acme capture work messages on this phone. Reply STOP to opt out.',
        helpText: 'Acme mobile capture. Reply STOP to opt out. Questions: it@acme.example',
        optInConfirmation: 'Acme: you are opted in. Reply STOP to opt out.',
        optOutConfirmation: 'Acme: you are opted out. No more messages.',
        reminderText: 'Acme: work messages on this phone are captured. Reply STOP to opt out.',
      };
      const bad = await flow.admin.put('/v1/organization/consent-template', {
        ...own,
        optInText: 'Reply OK',
      });
      expect(bad.status).toBe(400);
      const member = await apiClient(flow.running.baseUrl, 'member').put(
        '/v1/organization/consent-template',
        own,
      );
      expect(member.status).toBe(403);
      const first = await flow.admin.put<Wording>('/v1/organization/consent-template', own);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ version: 1, ...own });
      const second = await flow.admin.put<Wording>('/v1/organization/consent-template', {
        ...own,
        optInText: `${own.optInText} Msg&data rates may apply.`,
      });
      expect(second.body.version).toBe(2);

      const user = await register();
      await replyAs(flow, user.mdn, 'YES');
      const record = await ledger(user.id);
      expect(sent(record.entries[0])).toEqual({
        kind: 'TEXT_SENT',
        messageText: `${own.optInText} Msg&data rates may apply.`,
        templateVersion: second.body.versionId,
      });
      expect(record.entries[3].messageText).toBe(own.optInConfirmation);
    });

    it('exports the organisation’s ledger as CSV and JSON; members read a line’s ledger but may not export', async () => {
      // Its own entries, so the test stands alone: a line with a text, a YES and a confirmation.
      const user = await register();
      await replyAs(flow, user.mdn, 'YES');
      const json = await fetch(`${flow.running.baseUrl}/v1/consent/export?format=json`, {
        headers: { authorization: 'Bearer admin-token-0123456789abcdef' },
      });
      expect(json.status).toBe(200);
      expect(json.headers.get('content-type')).toMatch(/application\/json/);
      const entries = (await json.json()) as LedgerEntry[];
      expect(entries.length).toBeGreaterThanOrEqual(4);
      expect(entries.filter((entry) => entry.userId === user.id).map((entry) => entry.kind)).toEqual(
        kinds(await ledger(user.id)),
      );
      expect(entries.map((entry) => BigInt(entry.id))).toEqual(
        [...entries.map((entry) => BigInt(entry.id))].sort((a, b) => (a < b ? -1 : 1)),
      );

      const csv = await fetch(`${flow.running.baseUrl}/v1/consent/export?format=csv`, {
        headers: { authorization: 'Bearer admin-token-0123456789abcdef' },
      });
      const lines = (await csv.text()).trimEnd().split('\r\n');
      expect(lines[0]).toMatch(/^id,lineId,userId,mdnHash,kind,source,occurredAt/);
      expect(lines).toHaveLength(entries.length + 1);

      const bad = await flow.admin.get('/v1/consent/export?format=xml');
      expect(bad.status).toBe(400);
      const member = apiClient(flow.running.baseUrl, 'member');
      expect((await member.get('/v1/consent/export')).status).toBe(403);
      const read = await member.get(`/v1/users/${entries[0].userId}/networks/verizon/consent`);
      expect(read.status).toBe(200);
    });

    it('the OpenAPI document describes the ledger’s answer', async () => {
      const document = (await (await fetch(`${flow.running.baseUrl}/docs-json`)).json()) as {
        paths: Record<
          string,
          Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
        >;
        components: { schemas: Record<string, { properties: Record<string, unknown> }> };
      };
      const answer = document.paths['/v1/users/{id}/networks/verizon/consent'].get.responses['200'];
      expect(answer.content?.['application/json'].schema).toEqual({
        $ref: '#/components/schemas/ConsentLedgerDto',
      });
      expect(Object.keys(document.components.schemas.ConsentEntryDto.properties)).toEqual(
        expect.arrayContaining([
          'kind',
          'messageText',
          'templateVersion',
          'gatewayMessageId',
          'replyReading',
          'hash',
        ]),
      );
    });
  },
);
