export * from "./cache";
export * from "./limiter";
export * from "./policy";
export * from "./time";
