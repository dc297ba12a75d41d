-- Settings every job shares: exactly-once checkpoints. Where checkpoints and savepoints are kept is
-- the cluster's setting (state.checkpoints.dir / state.savepoints.dir, under the runtime folder).
-- var BROKERS = 127.0.0.1:9092
-- var CHECKPOINT_INTERVAL = 10 s
SET 'execution.checkpointing.interval' = '${CHECKPOINT_INTERVAL}';
SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';
SET 'execution.checkpointing.externalized-checkpoint-retention' = 'RETAIN_ON_CANCELLATION';
SET 'restart-strategy' = 'fixed-delay';
SET 'restart-strategy.fixed-delay.attempts' = '2147483647';
SET 'restart-strategy.fixed-delay.delay' = '5 s';
