export {
  loadConfig,
  endpoints,
  STACK_CONFIG_SCHEMA,
  REPO_ROOT,
  type StackConfig,
} from './config.js';
export { up, down, status, paths, type UpResult, type PartStatus } from './stack.js';
export { consoleReporter, silentReporter, StackError, type Reporter } from './log.js';
export { PART_ORDER, type PartName } from './parts.js';
export { ARTIFACT_SETS, libDir, resolveArtifacts, resolveSet } from './artifacts.js';
export { freePort, spareStackEnv } from './health.js';
export { tryLock, releaseLock } from './lock.js';
export { prepareTestDatabase } from './test-database.js';
