/** The operator console mounted by the HTTP server under /console. */
export {
  DEFAULT_PENDING_PER_PAGE,
  MAX_PENDING_PER_PAGE,
  OperatorConsole,
  PENDING_STATES,
  isConsolePath,
} from './app.js';
export type { ConsoleRequestEvent, ConsoleRuntime, OperatorConsoleOptions } from './app.js';
export { CONSOLE_PATH, CONTENT_SECURITY_POLICY, SESSION_COOKIE } from './security.js';
export type { ConsoleSessionLimits } from './sessions.js';
