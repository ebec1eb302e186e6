export * from "./jobs";
export * from "./names";
