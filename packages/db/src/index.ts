export * from "./client";
export * from "./generated/prisma/client";
export * from "./sql";
