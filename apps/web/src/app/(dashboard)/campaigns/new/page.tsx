"use client";
// New campaign: the shared campaign form, saved as a draft (previewed and started on its page).
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { CampaignForm } from "@/components/campaigns/campaign-form";
import { useToast } from "@/components/toast";
import { PageHeader } from "@/components/ui";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc";

export default function NewCampaignPage() {
  const trpc = useTRPC();
  const toast = useToast();
  const router = useRouter();
  const create = useMutation(
    trpc.campaigns.create.mutationOptions({
      onSuccess: (c) => {
        toast(`Draft “${c.name}” saved`, "success");
        router.push(`/campaigns/${c.id}`);
      },
      onError: (e) => toast(errorMessage(e), "error"),
    }),
  );
  return (
    <>
      <PageHeader
        title="New campaign"
        description="Variables: {nome}, any custom field such as {condominio}, and defaults like {cargo|cliente}."
      />
      <CampaignForm
        submitLabel="Save draft"
        busy={create.isPending}
        errors={fieldErrors(create.error)}
        onSubmit={(values) => create.mutate(values)}
        footer="Preview it for a real contact, then start or schedule it, on the next page."
      />
    </>
  );
}
