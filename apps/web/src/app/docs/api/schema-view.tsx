// Renders a JSON Schema (as produced for the OpenAPI document) as a readable field list.
type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  description?: string;
  format?: string;
  $ref?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  default?: unknown;
};

function typeLabel(s: Schema): string {
  if (s.$ref) return s.$ref.split("/").pop() ?? "object";
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return variants.map(typeLabel).join(" | ");
  if (s.type === "array" && s.items) return `${typeLabel(s.items)}[]`;
  const t = Array.isArray(s.type) ? s.type.join(" | ") : (s.type ?? "any");
  return s.format ? `${t} (${s.format})` : t;
}

function constraints(s: Schema): string {
  const out: string[] = [];
  if (s.minimum !== undefined) out.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) out.push(`≤ ${s.maximum}`);
  if (s.maxLength !== undefined) out.push(`max ${s.maxLength} chars`);
  if (s.default !== undefined) out.push(`default ${JSON.stringify(s.default)}`);
  return out.join(", ");
}

export function SchemaView({ schema, depth = 0 }: { schema: Schema; depth?: number }) {
  const objectSchema = schema.type === "array" && schema.items?.properties ? schema.items : schema;
  if (!objectSchema.properties || depth > 3) {
    return <code className="font-mono text-xs text-slate-700">{typeLabel(schema)}</code>;
  }
  const required = new Set(objectSchema.required ?? []);
  return (
    <div>
      {objectSchema !== schema ? <p className="mb-1 font-mono text-xs text-slate-500">array of:</p> : null}
      <ul className="space-y-1.5 border-l border-slate-200 pl-3">
        {Object.entries(objectSchema.properties).map(([name, prop]) => (
          <li key={name} className="text-sm">
            <span className="font-mono font-medium text-slate-900">{name}</span>
            {required.has(name) ? <span className="ml-1 text-xs text-red-600">required</span> : null}
            <span className="ml-2 font-mono text-xs text-sky-700">{typeLabel(prop)}</span>
            {constraints(prop) ? (
              <span className="ml-2 text-xs text-slate-500">{constraints(prop)}</span>
            ) : null}
            {prop.description ? <p className="text-xs text-slate-500">{prop.description}</p> : null}
            {prop.properties || prop.items?.properties ? (
              <div className="mt-1">
                <SchemaView schema={prop} depth={depth + 1} />
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

export type { Schema };
