export { CodedError, isRetriable } from './errors.js';
export { retry, backoffDelay, type RetryOptions } from './retry.js';
export { RETRY_DEFAULTS } from './retry-defaults.js';
