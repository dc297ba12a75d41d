-- name: traffic_history
-- description: Traffic totals per minute, hour and campus-local day (PV, exact UV, requests by status class), upserted into PostgreSQL for the history
-- parallelism: 1
--
-- PV counts requests (as pv_uv does), UV distinct visitor ids, status_* requests by status class
-- (status_other: 1xx, and anything outside 100-599 or missing).
--
-- Minute and hour rows come from tumbling event-time windows on UTC-aligned boundaries: each is
-- written once, when the watermark (event time minus WATERMARK_DELAY) passes its end; an event
-- later than that is not counted in them.
--
-- Days are campus-local days in CAMPUS_TIMEZONE. Flink 1.12's day windows align to UTC midnight
-- (08:00 in Shanghai), so the day row is a continuous aggregation keyed by the campus-local date of
-- each event (CONVERT_TZ from UTC): it is upserted as the day runs, its UV is exact over the whole
-- campus day (not a sum of hours), and it also counts events later than the watermark. A day's
-- state (its set of visitors) is dropped DAY_STATE_TTL after the day's last event.
--
-- Every row is an upsert keyed by its bucket, so a restart, a replay from a savepoint or a redeploy
-- overwrites rows with the same values and never duplicates them.
--
-- var CAMPUS_TIMEZONE = Asia/Shanghai
-- var DAY_STATE_TTL = 2 d
-- var GROUP_PREFIX = pulse-traffic
-- #include tables/common.sql
-- #include tables/access_log.sql
-- #include tables/jdbc.sql

SET 'table.exec.state.ttl' = '${DAY_STATE_TTL}';
-- COUNT(DISTINCT visitor) per day is split into buckets of visitors. Without the split, the whole
-- day's visitor set is one state entry, and Flink 1.12's state TTL cleanup copies that entry on
-- every access (TtlIncrementalCleanup over heap map state): measured with `npm run bench:jobs`,
-- this job alone read about 2,700 events/s unsplit and 5,900 split (200,000 events, 2 cores).
SET 'table.optimizer.distinct-agg.split.enabled' = 'true';
-- One row object flows through the operators chained in a thread instead of a copy per operator
-- (Flink SQL's operators do not keep references to their input rows); this job fans every
-- request out to several aggregates, each of which otherwise received a copy.
SET 'pipeline.object-reuse' = 'true';
-- The day aggregate emits once per key and second instead of once per event.
SET 'table.exec.mini-batch.enabled' = 'true';
SET 'table.exec.mini-batch.allow-latency' = '1 s';
SET 'table.exec.mini-batch.size' = '5000';

CREATE TABLE traffic_minute (
  bucket_start TIMESTAMP(3),
  pv BIGINT,
  uv BIGINT,
  status_2xx BIGINT,
  status_3xx BIGINT,
  status_4xx BIGINT,
  status_5xx BIGINT,
  status_other BIGINT,
  PRIMARY KEY (bucket_start) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'traffic_minute',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}',
  'sink.buffer-flush.max-rows' = '${JDBC_FLUSH_ROWS}',
  'sink.buffer-flush.interval' = '${JDBC_FLUSH_INTERVAL}',
  'sink.max-retries' = '5'
);

CREATE TABLE traffic_hour (
  bucket_start TIMESTAMP(3),
  pv BIGINT,
  uv BIGINT,
  status_2xx BIGINT,
  status_3xx BIGINT,
  status_4xx BIGINT,
  status_5xx BIGINT,
  status_other BIGINT,
  PRIMARY KEY (bucket_start) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'traffic_hour',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}',
  'sink.buffer-flush.max-rows' = '${JDBC_FLUSH_ROWS}',
  'sink.buffer-flush.interval' = '${JDBC_FLUSH_INTERVAL}',
  'sink.max-retries' = '5'
);

CREATE TABLE traffic_day (
  campus_day DATE,
  pv BIGINT,
  uv BIGINT,
  status_2xx BIGINT,
  status_3xx BIGINT,
  status_4xx BIGINT,
  status_5xx BIGINT,
  status_other BIGINT,
  PRIMARY KEY (campus_day) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'traffic_day',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}',
  'sink.buffer-flush.max-rows' = '${JDBC_FLUSH_ROWS}',
  'sink.buffer-flush.interval' = '${JDBC_FLUSH_INTERVAL}',
  'sink.max-retries' = '5'
);

-- One status class per request, as 0/1 columns the aggregates sum.
CREATE VIEW classified AS
SELECT
  event_time,
  visitor_id,
  CAST(SUBSTRING(CONVERT_TZ(DATE_FORMAT(event_time, 'yyyy-MM-dd HH:mm:ss'), 'UTC', '${CAMPUS_TIMEZONE}'), 1, 10) AS DATE) AS campus_day,
  CASE WHEN status >= 200 AND status < 300 THEN 1 ELSE 0 END AS s2,
  CASE WHEN status >= 300 AND status < 400 THEN 1 ELSE 0 END AS s3,
  CASE WHEN status >= 400 AND status < 500 THEN 1 ELSE 0 END AS s4,
  CASE WHEN status >= 500 AND status < 600 THEN 1 ELSE 0 END AS s5,
  CASE WHEN status >= 200 AND status < 600 THEN 0 ELSE 1 END AS so
FROM access_log;

INSERT INTO traffic_minute
SELECT
  TUMBLE_START(event_time, INTERVAL '1' MINUTE),
  COUNT(*),
  COUNT(DISTINCT visitor_id),
  CAST(SUM(s2) AS BIGINT),
  CAST(SUM(s3) AS BIGINT),
  CAST(SUM(s4) AS BIGINT),
  CAST(SUM(s5) AS BIGINT),
  CAST(SUM(so) AS BIGINT)
FROM classified
GROUP BY TUMBLE(event_time, INTERVAL '1' MINUTE);

INSERT INTO traffic_hour
SELECT
  TUMBLE_START(event_time, INTERVAL '1' HOUR),
  COUNT(*),
  COUNT(DISTINCT visitor_id),
  CAST(SUM(s2) AS BIGINT),
  CAST(SUM(s3) AS BIGINT),
  CAST(SUM(s4) AS BIGINT),
  CAST(SUM(s5) AS BIGINT),
  CAST(SUM(so) AS BIGINT)
FROM classified
GROUP BY TUMBLE(event_time, INTERVAL '1' HOUR);

INSERT INTO traffic_day
SELECT
  campus_day,
  COUNT(*),
  COUNT(DISTINCT visitor_id),
  CAST(SUM(s2) AS BIGINT),
  CAST(SUM(s3) AS BIGINT),
  CAST(SUM(s4) AS BIGINT),
  CAST(SUM(s5) AS BIGINT),
  CAST(SUM(so) AS BIGINT)
FROM classified
GROUP BY campus_day;
