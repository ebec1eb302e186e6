import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { Shell } from "@/components/shell";
import { currentUser } from "@/server/auth/session";
import { demoModeEnabled } from "@/server/sessions/demo";

export const dynamic = "force-dynamic";

/** Guard: every dashboard page needs a signed-in user. */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  if (!user) redirect("/signin");
  return (
    <Shell
      user={{ email: user.email, name: user.name, isPlatformAdmin: user.isPlatformAdmin }}
      demoMode={demoModeEnabled()}
    >
      {children}
    </Shell>
  );
}
