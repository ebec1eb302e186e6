// Message templates: {nome} / {name}, any custom field ({condominio}), defaults ({cargo|cliente}).

/** {var} or {var|default}; names are letters (accents allowed), digits, _ and - */
const VARIABLE = /\{\s*([\p{L}\p{N}_-]+)\s*(?:\|([^{}]*))?\}/gu;

/** Aliases that read the contact's name. */
const NAME_KEYS = new Set(["nome", "name"]);

export interface TemplateContact {
  name?: string | null;
  phone?: string | null;
  customFields?: unknown;
}

export interface RenderResult {
  text: string;
  /** Variables with no value and no default (rendered as empty text). */
  missing: string[];
}

/** Lowercases and strips accents so {Condomínio} finds the custom field "condominio". */
export function variableKey(name: string): string {
  return name.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();
}

/** Template variables of a contact, keyed by variableKey. */
export function contactVariables(contact: TemplateContact): Record<string, string> {
  const vars: Record<string, string> = {};
  const fields = contact.customFields;
  if (fields && typeof fields === "object" && !Array.isArray(fields)) {
    for (const [key, value] of Object.entries(fields as Record<string, unknown>)) {
      if (value === null || value === undefined) continue;
      vars[variableKey(key)] = String(value);
    }
  }
  if (contact.phone) vars.telefone = vars.phone = contact.phone;
  if (contact.name) for (const key of NAME_KEYS) vars[key] = contact.name;
  return vars;
}

export function renderTemplate(
  template: string,
  vars: Record<string, string | null | undefined>,
): RenderResult {
  const lookup = new Map<string, string>();
  for (const [key, value] of Object.entries(vars)) {
    if (value !== null && value !== undefined && String(value).trim() !== "")
      lookup.set(variableKey(key), String(value));
  }
  const missing = new Set<string>();
  const text = template.replace(VARIABLE, (_whole, name: string, fallback: string | undefined) => {
    const value = lookup.get(variableKey(name));
    if (value !== undefined) return value;
    if (fallback !== undefined) return fallback.trim();
    missing.add(name);
    return "";
  });
  return { text, missing: [...missing] };
}

/** Variable names used in a template (without defaults), for previews and validation. */
export function templateVariables(template: string): { name: string; hasDefault: boolean }[] {
  return [...template.matchAll(VARIABLE)].map((m) => ({ name: m[1]!, hasDefault: m[2] !== undefined }));
}

/** Variant rotation: recipient n (0-based, in expansion order) gets variant n mod count. */
export function variantIndexFor(position: number, variantCount: number): number {
  if (variantCount < 1) throw new RangeError("a campaign needs at least one variant");
  return position % variantCount;
}
