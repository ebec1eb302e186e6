// Status → badge colour and readable label, shared by pages.
import type { BadgeTone } from "./ui";

const sessionTones: Record<string, BadgeTone> = {
  CONNECTED: "green",
  CONNECTING: "blue",
  RECONNECTING: "yellow",
  AWAITING_QR: "blue",
  AWAITING_PAIRING_CODE: "blue",
  DISCONNECTED: "gray",
  LOGGED_OUT: "gray",
  RESTRICTED: "red",
  FAILED: "red",
};

const messageTones: Record<string, BadgeTone> = {
  QUEUED: "gray",
  PROCESSING: "blue",
  SENT: "blue",
  DELIVERED: "green",
  READ: "green",
  RECEIVED: "green",
  FAILED: "red",
  DEAD_LETTERED: "red",
  CANCELLED: "gray",
  EXPIRED: "yellow",
};

export function humanize(value: string): string {
  const text = value.toLowerCase().replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const sessionTone = (s: string): BadgeTone => sessionTones[s] ?? "gray";
export const messageTone = (s: string): BadgeTone => messageTones[s] ?? "gray";
