export * from "./accept";
export * from "./messages";
export * from "./outbound";
export { createPgPool, type PoolOptions, type Queryable, withTransaction } from "./pool";
