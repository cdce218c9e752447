/**
 * The admin console's table as a portal would keep it: users and, per network, status,
 * indicator, tooltip and last seen. Built from GET /v1/users (the REST views) or from the
 * events (the feed's JSON, or Kafka messages as JSON), so the two can be compared field by
 * field. Last seen is compared by day: the console shows the day, and sightings publish
 * once a day.
 */
export interface TableLine {
  status: string;
  statusLabel: string;
  reason: string | null;
  indicator: string;
  tooltip: string;
  lastSeenDay: string | null;
  sequence: number;
}

export interface TableUser {
  firstName: string;
  lastName: string;
  username: string;
  mdn: string;
  email: string;
  businessPhone: string | null;
  company: string | null;
  customerCode: string | null;
  udid: string | null;
  serviceLevel: string | null;
  messagingAppVersion: string | null;
  status: string;
  registeredAt: string;
  sequence: number;
  networks: Record<string, TableLine>;
}

export type AdminTable = Map<string, TableUser>;

/** The users the console's default list shows: deleted users leave it (seed lifecycle). */
export const liveUsers = (table: AdminTable): AdminTable =>
  new Map([...table].filter(([, user]) => user.status !== 'DELETED'));

interface RestLine {
  network: string;
  status: string;
  statusLabel: string;
  reason: string | null;
  indicator: string;
  tooltip: string;
  lastSeenAt: string | null;
  sequence: number;
}

export interface RestUser {
  id: string;
  firstName: string;
  lastName: string;
  username: string;
  mdn: string;
  email: string;
  businessPhone: string | null;
  company: string | null;
  customerCode: string | null;
  udid: string | null;
  serviceLevel: string | null;
  messagingAppVersion: string | null;
  status: string;
  registeredAt: string;
  sequence: number;
  networks: RestLine[];
}

const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : null);
const strip = (value: string | undefined, prefix: string) => (value ?? '').replace(prefix, '');
const orNull = (value: string | undefined) => (value ? value : null);

export function tableFromRest(users: RestUser[]): AdminTable {
  return new Map(
    users.map((user) => [
      user.id,
      {
        firstName: user.firstName,
        lastName: user.lastName,
        username: user.username,
        mdn: user.mdn,
        email: user.email,
        businessPhone: user.businessPhone,
        company: user.company,
        customerCode: user.customerCode,
        udid: user.udid,
        serviceLevel: user.serviceLevel,
        messagingAppVersion: user.messagingAppVersion,
        status: user.status,
        registeredAt: user.registeredAt,
        sequence: user.sequence,
        networks: Object.fromEntries(
          user.networks.map((line) => [
            line.network,
            {
              status: line.status,
              statusLabel: line.statusLabel,
              reason: line.reason,
              indicator: line.indicator,
              tooltip: line.tooltip,
              lastSeenDay: day(line.lastSeenAt),
              sequence: line.sequence,
            },
          ]),
        ),
      },
    ]),
  );
}

type Json = Record<string, any>;

function userFields(user: Json): Omit<TableUser, 'networks'> {
  return {
    firstName: user.firstName ?? '',
    lastName: user.lastName ?? '',
    username: user.username ?? '',
    mdn: user.mdn ?? '',
    email: user.email ?? '',
    businessPhone: orNull(user.businessPhone),
    company: orNull(user.company),
    customerCode: orNull(user.customerCode),
    udid: orNull(user.udid),
    serviceLevel: user.serviceLevel ?? null,
    messagingAppVersion: user.messagingAppVersion ?? null,
    status: strip(user.status, 'USER_STATUS_'),
    registeredAt: new Date(user.registeredAt as string).toISOString(),
    sequence: Number(user.sequence ?? 0),
  };
}

/**
 * Applies one event (canonical protobuf JSON) to the table, skipping what the table
 * already reflects (sequence at or below the known one) and noting any gap.
 */
export function applyEvent(table: AdminTable, type: string, event: Json, gaps: string[]): void {
  const short = type.split('.').pop();
  if (short === 'NetworkStatusChanged') {
    applyUser(table, event.user as Json, gaps, false);
    const user = table.get(event.userId as string);
    if (!user) {
      gaps.push(`line event for unknown user ${String(event.userId)}`);
      return;
    }
    const sequence = Number(event.sequence);
    const known = user.networks[event.networkKey as string];
    if (known && sequence <= known.sequence) return;
    if ((known?.sequence ?? 0) + 1 !== sequence)
      gaps.push(
        `line ${String(event.userId)}/${String(event.networkKey)}: ${known?.sequence ?? 0} then ${sequence}`,
      );
    user.networks[event.networkKey as string] = {
      status: strip(event.status, 'NETWORK_STATUS_'),
      statusLabel: event.statusLabel,
      reason: orNull(event.reason),
      indicator: strip(event.indicator, 'INDICATOR_'),
      tooltip: event.tooltip,
      lastSeenDay: day(event.lastSeenAt),
      sequence,
    };
    return;
  }
  applyUser(table, { ...(event.user as Json), sequence: event.sequence }, gaps, true);
}

function applyUser(table: AdminTable, user: Json, gaps: string[], checkGap: boolean): void {
  const fields = userFields(user);
  const known = table.get(user.userId as string);
  if (known && fields.sequence <= known.sequence) return;
  if (checkGap && (known?.sequence ?? 0) + 1 !== fields.sequence) {
    gaps.push(`user ${String(user.userId)}: ${known?.sequence ?? 0} then ${fields.sequence}`);
  }
  table.set(user.userId as string, { ...fields, networks: known?.networks ?? {} });
}

/** Every field that differs, as "user/field: rest vs events". */
export function differences(rest: AdminTable, events: AdminTable): string[] {
  const out: string[] = [];
  for (const id of new Set([...rest.keys(), ...events.keys()])) {
    const a = rest.get(id);
    const b = events.get(id);
    if (!a || !b) {
      out.push(`${id}: ${a ? 'missing from the events' : 'missing from REST'}`);
      continue;
    }
    for (const field of Object.keys(a) as (keyof TableUser)[]) {
      if (field === 'networks') continue;
      if (a[field] !== b[field]) out.push(`${id}/${field}: ${String(a[field])} vs ${String(b[field])}`);
    }
    for (const network of new Set([...Object.keys(a.networks), ...Object.keys(b.networks)])) {
      const la = a.networks[network];
      const lb = b.networks[network];
      if (!la || !lb) {
        out.push(`${id}/${network}: ${la ? 'missing from the events' : 'missing from REST'}`);
        continue;
      }
      for (const field of Object.keys(la) as (keyof TableLine)[]) {
        if (la[field] !== lb[field])
          out.push(`${id}/${network}/${field}: ${String(la[field])} vs ${String(lb[field])}`);
      }
    }
  }
  return out;
}

/**
 * Applies one record of the compacted state topic (canonical protobuf JSON of LineState;
 * null: a tombstone, the line and, with its last line, the user are gone).
 */
export function applyState(table: AdminTable, key: string, state: Json | null): void {
  const [userId, network] = key.split(':');
  if (state === null) {
    const user = table.get(userId);
    if (!user) return;
    delete user.networks[network];
    if (Object.keys(user.networks).length === 0) table.delete(userId);
    return;
  }
  const fields = userFields(state.user as Json);
  const known = table.get(userId);
  const user =
    known && known.sequence > fields.sequence ? known : { ...fields, networks: known?.networks ?? {} };
  table.set(userId, user);
  user.networks[network] = {
    status: strip(state.status, 'NETWORK_STATUS_'),
    statusLabel: state.statusLabel,
    reason: orNull(state.reason),
    indicator: strip(state.indicator, 'INDICATOR_'),
    tooltip: state.tooltip,
    lastSeenDay: day(state.lastSeenAt),
    sequence: Number(state.sequence ?? 0),
  };
}
