// A fieldset of chip-style checkboxes over a set of string values (API key scopes, webhook events).
export function CheckboxGroup({
  legend,
  options,
  selected,
  onChange,
  error,
}: {
  legend: string;
  options: readonly string[] | undefined;
  selected: ReadonlySet<string>;
  onChange: (next: Set<string>) => void;
  error?: string;
}) {
  function toggle(value: string) {
    const next = new Set(selected);
    if (next.has(value)) next.delete(value);
    else next.add(value);
    onChange(next);
  }
  return (
    <fieldset>
      <legend className="mb-2 text-sm font-medium text-slate-700">{legend}</legend>
      <div className="flex flex-wrap gap-2">
        {options?.map((value) => (
          <label
            key={value}
            className="flex items-center gap-1.5 rounded-md border border-slate-200 px-2 py-1 text-xs"
          >
            <input type="checkbox" checked={selected.has(value)} onChange={() => toggle(value)} />
            <span className="font-mono">{value}</span>
          </label>
        ))}
      </div>
      {error ? <p className="mt-1 text-xs text-red-600">{error}</p> : null}
    </fieldset>
  );
}
