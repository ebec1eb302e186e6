// The app router: one sub-router per domain.
import { adminRouter } from "./admin/router";
import { apiKeysRouter } from "./apiKeys/router";
import { authRouter } from "./auth/router";
import { campaignsRouter } from "./campaigns/router";
import { contactsRouter } from "./contacts/router";
import { eventsRouter } from "./events/router";
import { limitsRouter } from "./limits/router";
import { messagesRouter } from "./messages/router";
import { sessionsRouter } from "./sessions/router";
import { createCallerFactory, createTRPCRouter } from "./trpc";
import { webhooksRouter } from "./webhooks/router";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  sessions: sessionsRouter,
  messages: messagesRouter,
  contacts: contactsRouter,
  campaigns: campaignsRouter,
  limits: limitsRouter,
  apiKeys: apiKeysRouter,
  webhooks: webhooksRouter,
  events: eventsRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
