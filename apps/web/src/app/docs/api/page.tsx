import { headers } from "next/headers";
import Link from "next/link";
import { openApiDocument } from "@/server/rest";
import { type Schema, SchemaView } from "./schema-view";

export const metadata = { title: "API reference" };
export const dynamic = "force-dynamic";

const methodTone: Record<string, string> = {
  get: "bg-sky-100 text-sky-800",
  post: "bg-emerald-100 text-emerald-800",
  put: "bg-amber-100 text-amber-800",
  patch: "bg-amber-100 text-amber-800",
  delete: "bg-red-100 text-red-800",
};

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
}

export default async function ApiDocsPage() {
  const h = await headers();
  const origin = `${h.get("x-forwarded-proto") ?? "http"}://${h.get("host") ?? "localhost"}`;
  const doc = openApiDocument(origin);
  const operations = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Operation>).map(([method, op]) => ({ path, method, op })),
  );
  const tags = [...new Set(operations.map((o) => o.op.tags?.[0] ?? "other"))];
  return (
    <main className="mx-auto max-w-5xl px-6 py-10">
      <div className="mb-8 flex items-start justify-between gap-4">
        <div>
          <h1 className="text-3xl font-semibold text-slate-900">{doc.info.title}</h1>
          <p className="mt-1 text-sm text-slate-500">
            Version {doc.info.version} · Base URL <code className="font-mono">{doc.servers?.[0]?.url}</code> ·{" "}
            <a className="text-emerald-700 hover:underline" href="/api/openapi.json">
              openapi.json
            </a>
          </p>
        </div>
        <Link href="/" className="text-sm text-emerald-700 hover:underline">
          ← Dashboard
        </Link>
      </div>
      <section className="mb-10 space-y-3 rounded-xl border border-slate-200 bg-white p-6 text-sm leading-6 text-slate-700 shadow-sm">
        {doc.info.description?.split("\n\n").map((p) => (
          <p key={p}>{p}</p>
        ))}
        <pre className="overflow-x-auto rounded-lg bg-slate-900 p-4 font-mono text-xs text-slate-100">
          {`curl -X POST ${doc.servers?.[0]?.url}/messages \\
  -H "Authorization: Bearer zf_..." -H "Content-Type: application/json" \\
  -d '{"sessionId":"<session id>","to":"+5511987654321","type":"text","text":"Olá!","idempotencyKey":"order-42"}'`}
        </pre>
      </section>
      {tags.map((tag) => (
        <section key={tag} className="mb-10">
          <h2 className="mb-4 text-xl font-semibold capitalize text-slate-900">{tag}</h2>
          <div className="space-y-4">
            {operations
              .filter((o) => (o.op.tags?.[0] ?? "other") === tag)
              .map(({ path, method, op }) => {
                const content = op.requestBody?.content;
                const body = (content?.["application/json"] ?? content?.["multipart/form-data"])?.schema;
                const ok = op.responses?.["200"]?.content?.["application/json"]?.schema;
                return (
                  <article
                    key={`${method} ${path}`}
                    id={`${method}-${path}`}
                    className="rounded-xl border border-slate-200 bg-white shadow-sm"
                  >
                    <header className="flex items-center gap-3 border-b border-slate-100 px-5 py-3">
                      <span
                        className={`rounded px-2 py-0.5 font-mono text-xs font-bold uppercase ${methodTone[method] ?? ""}`}
                      >
                        {method}
                      </span>
                      <code className="font-mono text-sm text-slate-900">{path}</code>
                      <span className="text-sm text-slate-500">{op.summary}</span>
                    </header>
                    {op.description ? (
                      <p className="px-5 pt-4 text-sm text-slate-600">{op.description}</p>
                    ) : null}
                    <div className="grid gap-6 p-5 md:grid-cols-2">
                      <div className="space-y-4">
                        {op.parameters?.length ? (
                          <div>
                            <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">
                              Parameters
                            </h3>
                            <ul className="space-y-1 text-sm">
                              {op.parameters.map((p) => (
                                <li key={`${p.in}-${p.name}`}>
                                  <span className="font-mono font-medium">{p.name}</span>
                                  <span className="ml-2 text-xs text-slate-500">
                                    in {p.in}
                                    {p.required ? ", required" : ""}
                                  </span>
                                  {p.schema ? (
                                    <span className="ml-2">
                                      <SchemaView schema={p.schema} />
                                    </span>
                                  ) : null}
                                </li>
                              ))}
                            </ul>
                          </div>
                        ) : null}
                        {body ? (
                          <div>
                            <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">
                              Request body
                            </h3>
                            <SchemaView schema={body} />
                          </div>
                        ) : null}
                      </div>
                      <div>
                        {ok ? (
                          <details>
                            <summary className="mb-2 cursor-pointer text-xs font-semibold uppercase tracking-wide text-slate-500">
                              Response 200 (show fields)
                            </summary>
                            <SchemaView schema={ok} />
                          </details>
                        ) : (
                          <p className="text-xs text-slate-500">Response 200: no body</p>
                        )}
                        <p className="mt-3 text-xs text-slate-500">
                          Errors:{" "}
                          {Object.keys(op.responses ?? {})
                            .filter((c) => c !== "200")
                            .join(", ") || "—"}
                        </p>
                      </div>
                    </div>
                  </article>
                );
              })}
          </div>
        </section>
      ))}
    </main>
  );
}
