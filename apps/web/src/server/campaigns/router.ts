// Placeholder until the campaigns helper writes this router.
import { createTRPCRouter } from "../trpc";

export const campaignsRouter = createTRPCRouter({});
