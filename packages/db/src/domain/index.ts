export * from "./csv";
export * from "./phone";
export * from "./quiet-hours";
export * from "./schemas";
export * from "./storage";
export * from "./template";
