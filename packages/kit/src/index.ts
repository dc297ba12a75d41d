export { CodedError, isRetriable } from './errors.js';
export { retry, type RetryOptions } from './retry.js';
export { backoffDelay, jitteredDelay, type BackoffOptions } from './backoff.js';
export { RETRY_DEFAULTS } from './retry-defaults.js';
export { sleep } from './time.js';
export { pidAlive } from './process.js';
export {
  ConfigError,
  readEnv,
  configRows,
  configHelp,
  configTable,
  loadOrExit,
  type ConfigRow,
  type Env,
} from './config.js';
export { isTimeZone, wallClock, offsetAt } from './zone.js';
