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
CREATE TABLE wifi_log (
  event_time TIMESTAMP(3),
  ts_ms BIGINT,
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
