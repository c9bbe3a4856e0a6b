/** What a notification says: ids, names, kinds and causes; never personal data or secrets. */
export interface AlertMessage {
  event: 'incident.opened' | 'incident.resolved' | 'test';
  connection: string | null;
  incident: { id: number; kind: string; cause: string; openedAt: string; resolvedAt: string | null } | null;
  at: string;
}

const KIND_LABEL: Record<string, string> = {
  auth_error: 'auth error', failing: 'failing', blocked: 'blocked', stale: 'stale', degraded: 'degraded',
};

/** One line for Slack and the email subject. */
export function summaryLine(message: AlertMessage): string {
  if (message.event === 'test' || !message.incident) return 'lucca-sync: test notification (alerts are wired correctly)';
  const kind = KIND_LABEL[message.incident.kind] ?? message.incident.kind;
  const verb = message.event === 'incident.opened' ? 'incident opened' : 'incident resolved';
  return `lucca-sync: ${verb} on "${message.connection}": ${kind} (#${message.incident.id})`;
}

export function bodyText(message: AlertMessage): string {
  if (!message.incident) return `${summaryLine(message)}\nSent at ${message.at}.`;
  const lines = [summaryLine(message), `Cause: ${message.incident.cause}`, `Opened: ${message.incident.openedAt}`];
  if (message.incident.resolvedAt) lines.push(`Resolved: ${message.incident.resolvedAt}`);
  lines.push(`See: lucca-sync incidents list --connection ${message.connection}`);
  return lines.join('\n');
}
