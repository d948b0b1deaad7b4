export { startServer, type TokkiServer } from './server.js';
export {
  resolveConfig,
  DEFAULT_PORT,
  type ConfigInput,
  type ServerConfig,
  type Mode,
} from './config.js';
export {
  ConfigError,
  mergeSettings,
  readConfigFile,
  settingsFromEnv,
  settingsToEnv,
  SETTINGS,
  envName,
  type SettingKey,
} from './settings.js';
export { createContext, createLogger, type AppContext, type ContextOverrides } from './context.js';
export type { SmsProvider } from './accounts/sms.js';
export { parseDatabaseUrl, openDatabase, type Database, type Dialect } from './db/database.js';
export { ApiError } from './errors.js';
/** For a tool that writes the SQLite file itself: its triggers call these SQL functions. */
export { registerSearchFunctions } from './messages/search-document.js';
