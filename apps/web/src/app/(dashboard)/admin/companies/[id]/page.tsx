"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { type FormEvent, useEffect, useState } from "react";
import { POLICY_FIELDS, type PolicyKey, showValue } from "@/components/limits/fields";
import { useToast } from "@/components/toast";
import {
  Button,
  Card,
  ErrorNote,
  Field,
  formatDate,
  Input,
  PageHeader,
  Select,
  SkeletonRows,
} from "@/components/ui";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc";

type Draft = Record<PolicyKey, string>;

/** Empty = back to the default (null); otherwise the typed value. */
function toPolicy(draft: Draft): Record<string, number | boolean | string | null> {
  const out: Record<string, number | boolean | string | null> = {};
  for (const f of POLICY_FIELDS) {
    const raw = draft[f.key].trim();
    if (raw === "") out[f.key] = null;
    else if (f.kind === "bool") out[f.key] = raw === "true";
    else if (f.kind === "int") out[f.key] = Number(raw);
    else out[f.key] = raw;
  }
  return out;
}

export default function CompanyLimitsPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const policy = useQuery(trpc.admin.companyPolicy.queryOptions({ companyId: id }));
  const [draft, setDraft] = useState<Draft | null>(null);
  useEffect(() => {
    if (!policy.data || draft) return;
    const o = policy.data.overrides;
    setDraft(
      Object.fromEntries(
        POLICY_FIELDS.map((f) => [
          f.key,
          o?.[f.key] === null || o?.[f.key] === undefined ? "" : String(o[f.key]),
        ]),
      ) as Draft,
    );
  }, [policy.data, draft]);
  const save = useMutation(
    trpc.admin.updateCompanyPolicy.mutationOptions({
      onSuccess: async (row) => {
        toast(`Limits saved (version ${row.version}); workers apply them within seconds`, "success");
        await queryClient.invalidateQueries({
          queryKey: trpc.admin.companyPolicy.queryKey({ companyId: id }),
        });
      },
      onError: (e) => toast(errorMessage(e), "error"),
    }),
  );
  const errors = fieldErrors(save.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (draft) save.mutate({ companyId: id, policy: toPolicy(draft) });
  };
  const data = policy.data;
  return (
    <>
      <PageHeader
        title={data ? `Limits of ${data.company.name}` : "Limits"}
        description="Leave a field empty to use the platform default (shown in grey)."
        actions={
          <Link href="/admin" className="text-sm text-emerald-700 hover:underline">
            ← All companies
          </Link>
        }
      />
      <Card>
        <ErrorNote error={policy.error} />
        {!data || !draft ? (
          <SkeletonRows rows={8} />
        ) : (
          <form onSubmit={onSubmit} className="space-y-6">
            <div className="grid gap-4 md:grid-cols-2">
              {POLICY_FIELDS.map((f) => {
                const err = errors[`policy.${f.key}`];
                const set = (value: string) => setDraft({ ...draft, [f.key]: value });
                return (
                  <Field
                    key={f.key}
                    label={f.label}
                    error={err}
                    hint={`Default: ${showValue(data.defaults[f.key])}`}
                  >
                    {(inputId, describedBy) =>
                      f.kind === "bool" ? (
                        <Select
                          id={inputId}
                          value={draft[f.key]}
                          onChange={(e) => set(e.target.value)}
                          aria-describedby={describedBy}
                        >
                          <option value="">Default</option>
                          <option value="true">On</option>
                          <option value="false">Off</option>
                        </Select>
                      ) : (
                        <Input
                          id={inputId}
                          name={f.key}
                          inputMode={f.kind === "int" ? "numeric" : "text"}
                          placeholder={showValue(data.defaults[f.key])}
                          value={draft[f.key]}
                          onChange={(e) => set(e.target.value)}
                          invalid={!!err}
                          aria-describedby={describedBy}
                        />
                      )
                    }
                  </Field>
                );
              })}
            </div>
            <div className="flex items-center justify-between border-t border-slate-100 pt-4">
              <p className="text-xs text-slate-500">
                Version {data.version} · last change {formatDate(data.updatedAt)}
              </p>
              <Button type="submit" busy={save.isPending}>
                Save limits
              </Button>
            </div>
          </form>
        )}
      </Card>
    </>
  );
}
