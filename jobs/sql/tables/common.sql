-- Settings every job shares: exactly-once checkpoints. Where checkpoints and savepoints are kept is
-- the cluster's setting (state.checkpoints.dir / state.savepoints.dir, under the runtime folder).
-- var BROKERS = 127.0.0.1:9092
-- var CHECKPOINT_INTERVAL = 10 s
-- A source partition that receives nothing for SOURCE_IDLE_TIMEOUT is marked idle: the watermark
-- then follows the partitions that still receive records, so one quiet partition (a topic with
-- more partitions than writers, a watcher that sends little) does not hold back every window.
-- A record arriving on an idle partition makes it active again; if its time is behind the
-- watermark by then, it is late (dropped by windows, still counted by running aggregates).
-- When every partition is idle the watermark stays where it is: then the watcher's heartbeats
-- (sources[].heartbeatMs) move it, so the last windows close (see README.md). '0 ms' disables.
-- var SOURCE_IDLE_TIMEOUT = 30 s
SET 'execution.checkpointing.interval' = '${CHECKPOINT_INTERVAL}';
SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';
SET 'execution.checkpointing.externalized-checkpoint-retention' = 'RETAIN_ON_CANCELLATION';
SET 'table.exec.source.idle-timeout' = '${SOURCE_IDLE_TIMEOUT}';
SET 'restart-strategy' = 'fixed-delay';
SET 'restart-strategy.fixed-delay.attempts' = '2147483647';
SET 'restart-strategy.fixed-delay.delay' = '5 s';
