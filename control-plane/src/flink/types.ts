/** The parts of Flink 1.12's REST responses the control plane reads. */

export interface FlinkOverview {
  taskmanagers: number;
  'slots-total': number;
  'slots-available': number;
  'jobs-running': number;
  'jobs-finished': number;
  'jobs-cancelled': number;
  'jobs-failed': number;
  'flink-version': string;
  'flink-commit': string;
}

export type JobState =
  | 'INITIALIZING'
  | 'CREATED'
  | 'RUNNING'
  | 'FAILING'
  | 'FAILED'
  | 'CANCELLING'
  | 'CANCELED'
  | 'FINISHED'
  | 'RESTARTING'
  | 'SUSPENDED'
  | 'RECONCILING';

export interface JobOverview {
  jid: string;
  name: string;
  state: JobState;
  'start-time': number;
  'end-time': number;
  duration: number;
  'last-modification': number;
  tasks: Record<string, number>;
}

export interface JobVertex {
  id: string;
  name: string;
  parallelism: number;
  status: string;
  metrics?: Record<string, number | boolean>;
}

export interface JobDetails {
  jid: string;
  name: string;
  state: JobState;
  'start-time': number;
  'end-time': number;
  duration: number;
  vertices: JobVertex[];
  plan?: unknown;
}

export interface JobExceptions {
  'root-exception'?: string;
  timestamp?: number;
  'all-exceptions': { exception: string; task: string; location: string; timestamp: number }[];
  truncated: boolean;
}

export interface CheckpointStats {
  counts: {
    restored: number;
    total: number;
    in_progress: number;
    completed: number;
    failed: number;
  };
  latest: {
    completed: { id: number; external_path?: string; latest_ack_timestamp?: number } | null;
    savepoint: { id: number; external_path?: string; latest_ack_timestamp?: number } | null;
    restored: {
      id: number;
      external_path?: string;
      is_savepoint?: boolean;
      restore_timestamp?: number;
    } | null;
    failed: unknown;
  };
  history: {
    id: number;
    status: string;
    is_savepoint: boolean;
    external_path?: string;
    latest_ack_timestamp?: number;
  }[];
}

export interface JarFile {
  id: string;
  name: string;
  uploaded: number;
}

export interface RunJarRequest {
  programArgsList: string[];
  entryClass?: string;
  parallelism?: number;
  savepointPath?: string;
  allowNonRestoredState?: boolean;
  /** The id the job gets (32 hex digits); Flink refuses a second job with an id it knows. */
  jobId?: string;
}

export type AsyncOperation<T> =
  | { status: { id: 'IN_PROGRESS' }; operation: null }
  | { status: { id: 'COMPLETED' }; operation: T };

export type SavepointOperation =
  | { location: string }
  | { 'failure-cause': { class: string; 'stack-trace': string; 'serialized-throwable'?: string } };
