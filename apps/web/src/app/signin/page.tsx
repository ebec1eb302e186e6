import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth/session";
import { SignInForm } from "./sign-in-form";

export const metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string }>;
}) {
  const { callbackUrl } = await searchParams;
  // Only same-site paths: never bounce a user to another origin after sign-in.
  const target = callbackUrl?.startsWith("/") && !callbackUrl.startsWith("//") ? callbackUrl : "/";
  if (await currentUser()) redirect(target);
  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-br from-emerald-50 via-white to-slate-100 px-4">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <div className="mx-auto mb-3 flex size-12 items-center justify-center rounded-2xl bg-emerald-600 text-xl font-bold text-white shadow">
            Z
          </div>
          <h1 className="text-2xl font-semibold text-slate-900">Sign in to Zapflow</h1>
          <p className="mt-1 text-sm text-slate-500">WhatsApp sessions, messages and campaigns</p>
        </div>
        <SignInForm callbackUrl={target} />
      </div>
    </main>
  );
}
