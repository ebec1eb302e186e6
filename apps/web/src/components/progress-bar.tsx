// An accessible progress bar (role="progressbar") for long-running jobs: imports, campaigns.
export function ProgressBar({
  value,
  max,
  label,
  tone = "emerald",
}: {
  value: number;
  max: number;
  label: string;
  tone?: "emerald" | "amber" | "slate";
}) {
  const pct = max > 0 ? Math.min(100, (100 * value) / max) : 0;
  const fill = { emerald: "bg-emerald-500", amber: "bg-amber-400", slate: "bg-slate-400" }[tone];
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value}
      className="h-2.5 w-full overflow-hidden rounded-full bg-slate-100"
    >
      <div
        className={`h-full rounded-full transition-[width] duration-500 ${fill}`}
        style={{ width: `${pct}%` }}
      />
    </div>
  );
}
