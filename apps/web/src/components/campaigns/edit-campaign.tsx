"use client";
// Editing a draft or scheduled campaign in place, with the same form as "New campaign".
import { useMutation } from "@tanstack/react-query";
import { useToast } from "@/components/toast";
import { Button, Card } from "@/components/ui";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc";
import { CampaignForm, type CampaignFormInitial } from "./campaign-form";

type Campaign = CampaignFormInitial & { id: string; status: string; timeZone: string };

/** `onClose(saved)`: the page refreshes what it shows after a save. */
export function EditCampaignCard({
  campaign,
  onClose,
}: {
  campaign: Campaign;
  onClose: (saved: boolean) => void;
}) {
  const trpc = useTRPC();
  const toast = useToast();
  const update = useMutation(
    trpc.campaigns.update.mutationOptions({
      onSuccess: (c) => {
        toast(`“${c.name}” saved`, "success");
        onClose(true);
      },
      onError: (e) => toast(errorMessage(e), "error"),
    }),
  );
  return (
    <Card title="Edit campaign" className="mb-6">
      <CampaignForm
        initial={campaign}
        reschedule={campaign.status === "SCHEDULED" ? { timeZone: campaign.timeZone } : undefined}
        submitLabel="Save changes"
        busy={update.isPending}
        errors={fieldErrors(update.error)}
        onSubmit={(values) => update.mutate({ id: campaign.id, ...values })}
      />
      <Button tone="secondary" size="sm" className="mt-3" onClick={() => onClose(false)}>
        Close without saving
      </Button>
    </Card>
  );
}
