/**
 * The user fields every line event carries (UserSnapshot), as one JSON column of a raw
 * query over `users u`. Kept in one place: the sweep, new lines and line states read it,
 * and a field added to the snapshot must reach all three.
 */
export const USER_SNAPSHOT_JSON_SQL = `json_build_object(
  'id', u.id, 'organizationId', u.organization_id, 'firstName', u.first_name,
  'lastName', u.last_name, 'username', u.username, 'mdn', u.mdn, 'email', u.email,
  'status', u.status, 'businessPhone', u.business_phone, 'company', u.company,
  'customerCode', u.customer_code, 'udid', u.udid, 'registeredAt', u.registered_at,
  'serviceLevel', u.service_level, 'messagingAppVersion', u.messaging_app_version,
  'eventSequence', u.event_sequence)`;
