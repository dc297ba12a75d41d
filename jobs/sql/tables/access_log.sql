-- access_log: one parsed web request per record, written by the watcher (key: visitor id).
-- event_time is UTC in SQL form ('yyyy-MM-dd HH:mm:ss.SSS'); the watermark allows
-- WATERMARK_DELAY seconds of disorder, as web servers' buffered logs arrive late.
-- var ACCESS_TOPIC = access_log
-- var WATERMARK_DELAY = 30
-- var GROUP_PREFIX = pulse
-- Where a start without state begins reading (the control plane sets both from the deploy's
-- "start"; they are not part of the job's identity).
-- var START_MODE = latest-offset
-- var START_TIMESTAMP = 0
CREATE TABLE access_log (
  event_time TIMESTAMP(3),
  ts_ms BIGINT,
  client_ip STRING,
  visitor_id STRING,
  `method` STRING,
  path STRING,
  protocol STRING,
  status INT,
  `bytes` BIGINT,
  referrer STRING,
  user_agent STRING,
  source_file STRING,
  source_offset BIGINT,
  -- One second times the delay: a literal INTERVAL 'n' SECOND has two digits of precision, and
  -- Flink refuses n >= 100 ("exceeds precision of SECOND(2) field") and any wider precision.
  WATERMARK FOR event_time AS event_time - INTERVAL '1' SECOND * ${WATERMARK_DELAY}
) WITH (
  'connector' = 'kafka',
  'topic' = '${ACCESS_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  'properties.group.id' = '${GROUP_PREFIX}-access',
  -- Only what the watcher committed: it writes in transactions.
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = '${START_MODE}',
  'scan.startup.timestamp-millis' = '${START_TIMESTAMP}',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);
