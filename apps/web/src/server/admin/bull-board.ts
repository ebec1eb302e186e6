// Bull Board (queue inspector) for platform admins, served by Hono inside a Next route handler.
// Built once per process; the list of per-session send queues is refreshed on each request.
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import { allSharedQueues, sendQueueName } from "@zapflow/queue";
import { Hono } from "hono";
import type { ServerDeps } from "../deps";

export const BULL_BOARD_PATH = "/admin/queues";

interface Board {
  app: Hono;
  refresh(): Promise<void>;
}

const holder = globalThis as unknown as { __zapflowBullBoard?: Board };

export function getBullBoard(deps: ServerDeps): Board {
  if (holder.__zapflowBullBoard) return holder.__zapflowBullBoard;
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(BULL_BOARD_PATH);
  const adapters = () => allSharedQueues.map((name) => new BullMQAdapter(deps.queues.get(name)));
  const board = createBullBoard({
    queues: adapters(),
    serverAdapter,
    options: { uiConfig: { boardTitle: "Zapflow queues" } },
  });
  const app = new Hono();
  app.route(BULL_BOARD_PATH, serverAdapter.registerPlugin());
  let known = "";
  holder.__zapflowBullBoard = {
    app,
    async refresh() {
      const sessions = (await deps.queues.knownSendSessions()).sort();
      const signature = sessions.join(",");
      if (signature === known) return;
      known = signature;
      board.replaceQueues([
        ...adapters(),
        ...sessions.map((id) => new BullMQAdapter(deps.queues.send(id), { displayName: sendQueueName(id) })),
      ]);
    },
  };
  return holder.__zapflowBullBoard;
}
