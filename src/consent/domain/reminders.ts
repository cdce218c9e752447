/**
 * When a consenting subscriber's next reminder text is due: `months` after the later of
 * the consent and the last reminder (calendar months, in UTC); never when reminders are off.
 */
export function reminderDueAt(consentGivenAt: Date, remindedAt: Date | null, months: number): Date | null {
  if (months <= 0) return null;
  const from = remindedAt && remindedAt > consentGivenAt ? remindedAt : consentGivenAt;
  const due = new Date(from);
  due.setUTCMonth(due.getUTCMonth() + months);
  return due;
}

/** The latest consent time whose reminder is due by `now` (the SQL claim compares with it). */
export function dueBasis(now: Date, months: number): Date {
  const basis = new Date(now);
  basis.setUTCMonth(basis.getUTCMonth() - months);
  return basis;
}
