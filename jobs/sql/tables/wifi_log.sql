-- wifi_log: one Wi-Fi association per record, written by the watcher (key: device mac).
-- event_time is UTC; local_time is the campus-local wall-clock time the controller wrote
-- ('yyyy-MM-dd HH:mm:ss'), which is what the schedule is judged against.
-- var WIFI_TOPIC = wifi_log
-- var WATERMARK_DELAY = 30
-- var GROUP_PREFIX = pulse
-- Where a start without state begins reading (the control plane sets both from the deploy's
-- "start"; they are not part of the job's identity).
-- var START_MODE = latest-offset
-- var START_TIMESTAMP = 0
CREATE TABLE wifi_log_records (
  ts_ms BIGINT,
  -- The event time comes from ts_ms, in a computed column that is never null: a null rowtime
  -- (a record without its time, say from another producer, or one unreadable under
  -- 'json.ignore-parse-errors') fails the job on every restart. Such a record reads as
  -- 1970-01-01, which never moves the watermark, and the view below leaves it out. The JSON
  -- field event_time carries the same instant as ts_ms; it cannot be read under its own name,
  -- which the computed column takes. Flink 1.12 casts a number to TIMESTAMP as seconds, through
  -- a double truncated to milliseconds: the added half millisecond keeps the truncation from
  -- losing one. In DOUBLE, not DECIMAL, whose division costs far more (see access_log.sql).
  event_time AS COALESCE(CAST((CAST(ts_ms AS DOUBLE) + 0.5) / 1000 AS TIMESTAMP(3)), TIMESTAMP '1970-01-01 00:00:00.000'),
  local_time STRING,
  mac STRING,
  apname STRING,
  currentapname STRING,
  ssid STRING,
  connectresult STRING,
  uppacketnum BIGINT,
  upbyte BIGINT,
  downpacketnum BIGINT,
  downbyte BIGINT,
  source_file STRING,
  source_offset BIGINT,
  -- True on the watcher's heartbeats (sources[].heartbeatMs): records that carry only a time, one
  -- per partition while the log is quiet, so the watermark moves on and the last windows close.
  heartbeat BOOLEAN,
  -- One second times the delay: a literal INTERVAL 'n' SECOND has two digits of precision, and
  -- Flink refuses n >= 100 ("exceeds precision of SECOND(2) field") and any wider precision.
  WATERMARK FOR event_time AS event_time - INTERVAL '1' SECOND * ${WATERMARK_DELAY}
) WITH (
  'connector' = 'kafka',
  'topic' = '${WIFI_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  'properties.group.id' = '${GROUP_PREFIX}-wifi',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = '${START_MODE}',
  'scan.startup.timestamp-millis' = '${START_TIMESTAMP}',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- What the jobs read: the records that have an event time. The others would otherwise count in a
-- window of 1970 (while the watermark has not moved yet, e.g. at the start of a replay) or in an
-- aggregation that takes late records. Heartbeats are left out too: they count nothing, but the
-- watermark, made at the source before this view, has moved with them.
CREATE VIEW wifi_log AS
SELECT
  ts_ms, event_time, local_time, mac, apname, currentapname, ssid, connectresult, uppacketnum,
  upbyte, downpacketnum, downbyte, source_file, source_offset
FROM wifi_log_records
WHERE ts_ms IS NOT NULL AND heartbeat IS NOT TRUE;
