"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut, useSession } from "next-auth/react";
import { createContext, type ReactNode, useContext } from "react";
import { useTRPC } from "@/lib/trpc";
import { Badge } from "./ui";

const nav = [
  { href: "/", label: "Overview" },
  { href: "/sessions", label: "Sessions" },
  { href: "/messages", label: "Messages" },
  { href: "/contacts", label: "Contacts" },
  { href: "/campaigns", label: "Campaigns" },
  { href: "/limits", label: "Limits" },
  { href: "/webhooks", label: "Webhooks" },
  { href: "/api-keys", label: "API keys" },
  { href: "/events", label: "Events" },
];

const DemoModeContext = createContext(false);
export const useDemoMode = () => useContext(DemoModeContext);

function isActive(pathname: string, href: string) {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

function CompanySwitcher() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const { update } = useSession();
  const queryClient = useQueryClient();
  const memberships = me.data?.memberships ?? [];
  if (memberships.length === 0) return <span className="text-xs text-slate-400">No company</span>;
  return (
    <label className="flex min-w-0 items-center gap-2 text-xs text-slate-500">
      <span className="sr-only sm:not-sr-only">Company</span>
      <select
        aria-label="Active company"
        className="max-w-44 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-800 sm:max-w-none"
        value={me.data?.activeCompanyId ?? ""}
        onChange={async (e) => {
          // The server accepts the company only after checking the membership (jwt callback).
          await update({ companyId: e.target.value });
          await queryClient.invalidateQueries();
        }}
      >
        {memberships.map((m) => (
          <option key={m.company.id} value={m.company.id}>
            {m.company.name} ({m.role.toLowerCase()})
          </option>
        ))}
      </select>
    </label>
  );
}

export function Shell({
  user,
  demoMode,
  children,
}: {
  user: { email: string; name: string | null; isPlatformAdmin: boolean };
  demoMode: boolean;
  children: ReactNode;
}) {
  const pathname = usePathname();
  const items = user.isPlatformAdmin ? [...nav, { href: "/admin", label: "Admin" }] : nav;
  return (
    <DemoModeContext.Provider value={demoMode}>
      <div className="flex min-h-screen">
        <aside className="hidden w-56 shrink-0 border-r border-slate-200 bg-white md:block">
          <div className="flex h-14 items-center gap-2 border-b border-slate-100 px-5">
            <span className="flex size-7 items-center justify-center rounded-lg bg-emerald-600 text-sm font-bold text-white">
              Z
            </span>
            <span className="font-semibold text-slate-900">Zapflow</span>
          </div>
          <nav aria-label="Main" className="space-y-0.5 p-3">
            {items.map((item) => (
              <Link
                key={item.href}
                href={item.href}
                aria-current={isActive(pathname, item.href) ? "page" : undefined}
                className="block rounded-md px-3 py-2 text-sm text-slate-600 hover:bg-slate-50 hover:text-slate-900 aria-[current=page]:bg-emerald-50 aria-[current=page]:font-medium aria-[current=page]:text-emerald-800"
              >
                {item.label}
              </Link>
            ))}
          </nav>
          <div className="px-6 pt-2 text-xs text-slate-400">
            <Link href="/docs/api" className="hover:text-slate-600">
              API reference
            </Link>
          </div>
        </aside>
        <div className="flex min-w-0 flex-1 flex-col">
          <header className="flex h-14 items-center justify-between gap-2 border-b border-slate-200 bg-white px-4 sm:gap-4 sm:px-6">
            <div className="flex min-w-0 items-center gap-2 sm:gap-3">
              <CompanySwitcher />
              {demoMode ? <Badge tone="yellow">Demo mode</Badge> : null}
            </div>
            <div className="flex shrink-0 items-center gap-2 text-sm sm:gap-3">
              <span className="hidden text-slate-500 sm:inline">{user.name ?? user.email}</span>
              {user.isPlatformAdmin ? <Badge tone="blue">Platform admin</Badge> : null}
              <button
                type="button"
                onClick={() => signOut({ callbackUrl: "/signin" })}
                className="whitespace-nowrap rounded-md px-2 py-1 text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-slate-500"
              >
                Sign out
              </button>
            </div>
          </header>
          <nav
            aria-label="Main (mobile)"
            className="flex gap-1 overflow-x-auto border-b border-slate-200 bg-white px-3 py-2 md:hidden"
          >
            {items.map((item) => (
              <Link
                key={item.href}
                href={item.href}
                aria-current={isActive(pathname, item.href) ? "page" : undefined}
                className="whitespace-nowrap rounded px-2 py-1 text-xs text-slate-600 aria-[current=page]:bg-emerald-50 aria-[current=page]:font-medium aria-[current=page]:text-emerald-800"
              >
                {item.label}
              </Link>
            ))}
          </nav>
          <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 sm:px-6 sm:py-8">{children}</main>
        </div>
      </div>
    </DemoModeContext.Provider>
  );
}
