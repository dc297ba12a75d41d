export { FlinkClient, createFlinkClient, type FlinkClientOptions } from './client.js';
export {
  FlinkError,
  parseRunnerError,
  summarizeFlinkErrors,
  type RunnerErrorInfo,
} from './errors.js';
export { ensureRunnerJar, runnerArgs } from './runner-jar.js';
export type * from './types.js';
