// Campaign status → badge tone.
import type { BadgeTone } from "@/components/ui";

const tones: Record<string, BadgeTone> = {
  DRAFT: "gray",
  SCHEDULED: "blue",
  RUNNING: "green",
  PAUSED: "yellow",
  COMPLETED: "green",
  CANCELLED: "gray",
  FAILED: "red",
};

export const campaignTone = (status: string): BadgeTone => tones[status] ?? "gray";
