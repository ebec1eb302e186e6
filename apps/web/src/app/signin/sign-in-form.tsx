"use client";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { Button, Field, Input } from "@/components/ui";

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const result = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    setBusy(false);
    if (!result || result.error) {
      setError("Wrong email or password");
      return;
    }
    window.location.assign(callbackUrl);
  }

  return (
    <form
      onSubmit={onSubmit}
      className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
      noValidate
    >
      <Field label="Email">
        {(id) => <Input id={id} name="email" type="email" autoComplete="username" required autoFocus />}
      </Field>
      <Field label="Password" error={error ?? undefined}>
        {(id, describedBy) => (
          <Input
            id={id}
            name="password"
            type="password"
            autoComplete="current-password"
            required
            invalid={!!error}
            aria-describedby={describedBy}
          />
        )}
      </Field>
      <Button type="submit" className="w-full" busy={busy}>
        Sign in
      </Button>
    </form>
  );
}
