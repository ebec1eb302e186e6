export * from "./connection";
export * from "./jobs";
export * from "./limits";
export * from "./metrics";
export * from "./names";
export * from "./options";
export * from "./queues";
export * from "./workers";
