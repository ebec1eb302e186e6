// Labels of the rate-limit policy fields, in display order.
export const POLICY_FIELDS = [
  { key: "perNumberPerMinute", label: "Per number / minute", kind: "int" },
  { key: "perNumberPerDay", label: "Per number / day", kind: "int" },
  { key: "perCompanyPerMinute", label: "Per company / minute", kind: "int" },
  { key: "perCompanyPerDay", label: "Per company / day", kind: "int" },
  { key: "perCampaignPerMinute", label: "Per campaign / minute (campaign dispatch)", kind: "int" },
  { key: "minContactIntervalSec", label: "Min seconds between messages to one contact", kind: "int" },
  { key: "warmupEnabled", label: "New-number warm-up", kind: "bool" },
  { key: "warmupInitialDailyCap", label: "Warm-up: first-day cap", kind: "int" },
  { key: "warmupDailyGrowthPct", label: "Warm-up: daily growth %", kind: "int" },
  { key: "warmupDays", label: "Warm-up: days", kind: "int" },
  { key: "quietHoursStart", label: "Quiet hours start (HH:MM)", kind: "time" },
  { key: "quietHoursEnd", label: "Quiet hours end (HH:MM)", kind: "time" },
  { key: "minDelayMs", label: "Min delay between messages (ms)", kind: "int" },
  { key: "maxDelayMs", label: "Max delay between messages (ms)", kind: "int" },
  { key: "typingPresence", label: "Typing indicator before text", kind: "bool" },
] as const;

export type PolicyKey = (typeof POLICY_FIELDS)[number]["key"];

export function showValue(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "on" : "off";
  return String(value);
}
