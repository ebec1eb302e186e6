// Pieces shared by the filterable, paginated lists (messages, events): filter selects,
// and the "Load more" button of an infinite query.
import { humanize } from "@/components/status";
import { Button, Select } from "@/components/ui";

/** A select whose empty value means "no filter"; plain string options are shown humanized. */
export function FilterSelect({
  label,
  value,
  onChange,
  anyLabel,
  options,
  className,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  anyLabel: string;
  options: readonly (string | { value: string; label: string })[];
  className: string;
}) {
  return (
    <Select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)} className={className}>
      <option value="">{anyLabel}</option>
      {options.map((o) => {
        const { value: v, label: text } = typeof o === "string" ? { value: o, label: humanize(o) } : o;
        return (
          <option key={v} value={v}>
            {text}
          </option>
        );
      })}
    </Select>
  );
}

export function LoadMore({
  query,
}: {
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
}) {
  if (!query.hasNextPage) return null;
  return (
    <div className="mt-4 text-center">
      <Button tone="secondary" onClick={() => query.fetchNextPage()} busy={query.isFetchingNextPage}>
        Load more
      </Button>
    </div>
  );
}
