// @zapflow/db/storage: media storage (local disk or S3) shared by web (uploads) and worker.
export * from "./config";
export * from "./create";
export * from "./local";
export * from "./s3";
export * from "./storage";
