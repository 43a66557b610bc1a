import type { AlertFormat, AlertMessage } from './types.js';

/** Chat services cap message length (Discord 2000, Telegram 4096): stay under the smallest. */
const CHAT_TEXT_MAX = 1900;

/** The request body for each ALERT_WEBHOOK_FORMAT. Pure. */
export function formatBody(format: AlertFormat, message: AlertMessage, telegramChatId?: string): Record<string, unknown> {
  switch (format) {
    case 'json':
      return { ...message };
    case 'slack':
      return { text: chatText(message) };
    case 'discord':
      return { content: chatText(message) };
    case 'telegram':
      return { chat_id: telegramChatId ?? '', text: chatText(message) };
  }
}

function chatText(m: AlertMessage): string {
  return m.text.length > CHAT_TEXT_MAX ? `${m.text.slice(0, CHAT_TEXT_MAX - 1)}…` : m.text;
}
