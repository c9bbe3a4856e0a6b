import { bodyText, summaryLine, type AlertMessage } from './message.js';
import { postJson } from './webhook.js';

/** Slack's incoming-webhook format: `text` (the notification fallback) and one mrkdwn section. */
export function slackPayload(message: AlertMessage): { text: string; blocks: unknown[] } {
  return { text: summaryLine(message), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: bodyText(message) } }] };
}

export async function sendSlack(url: string, message: AlertMessage): Promise<void> {
  await postJson(url, JSON.stringify(slackPayload(message)));
}
