export { FlinkClient, createFlinkClient, type FlinkClientOptions } from './client.js';
export {
  FlinkError,
  parseRunnerError,
  summarizeFlinkErrors,
  type RunnerErrorInfo,
} from './errors.js';
export { ensureRunnerJar, runnerArgs, DEFAULT_RUNNER_JAR } from './runner-jar.js';
export type * from './types.js';
