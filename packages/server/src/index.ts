export { buildServer, type LogStream, type ServerOptions } from "./app.js";
export { DEFAULT_CONFIG, type ServerConfig } from "./config.js";
export { ApiError } from "./errors.js";
export { openStore } from "./open.js";
export { Store } from "./storage/store.js";
