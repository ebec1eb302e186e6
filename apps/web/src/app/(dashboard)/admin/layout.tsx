import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { currentUser } from "@/server/auth/session";

/** Platform admins only (the procedures check again). */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  if (!user?.isPlatformAdmin) notFound();
  return children;
}
