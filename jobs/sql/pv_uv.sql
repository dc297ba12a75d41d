-- name: pv_uv
-- description: Page views (requests) and unique visitors over sliding event-time windows
-- parallelism: 1
--
-- PV = COUNT(*), UV = COUNT(DISTINCT visitor_id) per HOP window (WINDOW_SIZE seconds long,
-- sliding every WINDOW_SLIDE seconds). Windows close when the watermark (event time minus
-- WATERMARK_DELAY seconds) passes their end; each closed window is written once, append-only, to
-- PVUV_TOPIC with UTC ISO-8601 window_start and window_end, and upserted into the history table
-- pvuv_window in PostgreSQL (keyed by the window, so a replay overwrites; see tables/jdbc.sql).
--
-- Distinct aggregation: in Flink 1.12, 'table.optimizer.distinct-agg.split.enabled' rewrites only
-- non-windowed GROUP BY aggregates; a group-window aggregate keeps one MapView of visitors per
-- window, which is already the cheap form (no hot-key skew: there is no grouping key to be skewed).
-- So the split is off by default: measured with `npm run bench:jobs` (2,000,000 events, 2 cores,
-- parallelism 1), this job sustained about 49,000 events/s without the split and mini-batching and
-- about 33,000 events/s with them, the mini-batch buffering costing more than it saves here. Set
-- DISTINCT_SPLIT = true if you add non-windowed COUNT(DISTINCT ...) aggregates on a skewed key.
--
-- Dashboard panels (see README.md, "Panels"):
-- panel: latest
--   kind: figure
--   table: pvuv
--   time: window_end
--   values: pv, uv
--   title.en: Latest window
--   title.zh: 最新窗口
--   note.en: PV counts every request, UV distinct visitors, over the latest closed window
--   note.zh: PV 为全部请求数，UV 为不同访客数，取最近一个已关闭的窗口
--   label.pv.en: PV
--   label.pv.zh: 浏览量 (PV)
--   label.uv.en: UV
--   label.uv.zh: 访客数 (UV)
--   order: 10
-- panel: trend
--   kind: timeseries
--   table: pvuv
--   time: window_end
--   values: pv, uv
--   title.en: PV / UV per sliding window
--   title.zh: 滑动窗口 PV / UV
--   label.window_end.en: Window end
--   label.window_end.zh: 窗口结束
--   label.pv.en: PV
--   label.pv.zh: 浏览量 (PV)
--   label.uv.en: UV
--   label.uv.zh: 访客数 (UV)
--   order: 20
--
-- var WINDOW_SIZE = 60
-- var WINDOW_SLIDE = 10
-- var PVUV_TOPIC = pvuv
-- var DISTINCT_SPLIT = false
-- #include tables/common.sql
-- #include tables/access_log.sql
-- #include tables/jdbc.sql

SET 'table.optimizer.distinct-agg.split.enabled' = '${DISTINCT_SPLIT}';
SET 'table.exec.mini-batch.enabled' = '${DISTINCT_SPLIT}';
SET 'table.exec.mini-batch.allow-latency' = '1 s';
SET 'table.exec.mini-batch.size' = '5000';

CREATE TABLE pvuv (
  window_start STRING,
  window_end STRING,
  pv BIGINT,
  uv BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = '${PVUV_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  -- Written in Kafka transactions committed on checkpoints: readers with read_committed see each
  -- window once, even across failures. The timeout must stay under the broker's 15-minute maximum.
  'sink.semantic' = 'exactly-once',
  'properties.transaction.timeout.ms' = '600000',
  'key.format' = 'json',
  'key.fields' = 'window_end',
  'value.format' = 'json'
);

-- One window aggregation feeds both sinks (the live topic and the history table).
CREATE VIEW pvuv_windows AS
SELECT
  HOP_START(event_time, INTERVAL '${WINDOW_SLIDE}' SECOND, INTERVAL '${WINDOW_SIZE}' SECOND) AS window_start,
  HOP_END(event_time, INTERVAL '${WINDOW_SLIDE}' SECOND, INTERVAL '${WINDOW_SIZE}' SECOND) AS window_end,
  COUNT(*) AS pv,
  COUNT(DISTINCT visitor_id) AS uv
FROM access_log
GROUP BY HOP(event_time, INTERVAL '${WINDOW_SLIDE}' SECOND, INTERVAL '${WINDOW_SIZE}' SECOND);

INSERT INTO pvuv
SELECT
  DATE_FORMAT(window_start, 'yyyy-MM-dd''T''HH:mm:ss''Z''') AS window_start,
  DATE_FORMAT(window_end, 'yyyy-MM-dd''T''HH:mm:ss''Z''') AS window_end,
  pv,
  uv
FROM pvuv_windows;

-- The same windows kept in the history (minute-level rows: pruned after the retention period).
CREATE TABLE pvuv_history (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  pv BIGINT,
  uv BIGINT,
  PRIMARY KEY (window_start, window_end) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'pvuv_window',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}',
  'sink.buffer-flush.max-rows' = '${JDBC_FLUSH_ROWS}',
  'sink.buffer-flush.interval' = '${JDBC_FLUSH_INTERVAL}',
  'sink.max-retries' = '5'
);

INSERT INTO pvuv_history
SELECT window_start, window_end, pv, uv FROM pvuv_windows;
