-- device_registry: which student owns which device (optional). The watcher keys each row by
-- {"mac"} (lower-case, colon-separated) and writes a tombstone when a device leaves the registry
-- file, so upsert-kafka turns the compacted topic into the current registry. Jobs normalise the
-- MAC again (case and separators) before joining, so a differently written MAC still matches.
-- var REGISTRY_TOPIC = device_registry
CREATE TABLE device_registry (
  mac STRING,
  student_id STRING,
  PRIMARY KEY (mac) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${REGISTRY_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  'properties.isolation.level' = 'read_committed',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'ALL'
);
