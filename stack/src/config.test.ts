import { describe, expect, it } from 'vitest';
import { ConfigError } from '@pulse/kit';
import { endpoints, loadConfig } from './config.js';

describe('stack configuration', () => {
  it('uses the documented default ports', () => {
    const config = loadConfig({});
    expect([config.zkPort, config.kafkaPort, config.flinkRestPort]).toEqual([2181, 9092, 8081]);
    expect(config.kafkaPartitions).toBe(3);
    expect(config.flinkTaskSlots).toBeGreaterThanOrEqual(4);
    expect(endpoints(config)).toEqual({
      kafkaBrokers: '127.0.0.1:9092',
      flinkRestUrl: 'http://127.0.0.1:8081',
      plannerUrl: 'http://127.0.0.1:8093',
      zookeeper: '127.0.0.1:2181',
      databaseUrl: 'postgresql://postgres:postgres@127.0.0.1:5432/pulse',
    });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('takes every port from the environment', () => {
    const config = loadConfig({
      ZK_PORT: '12181',
      KAFKA_PORT: '19092',
      FLINK_REST_PORT: '18081',
      FLINK_RPC_PORT: '16123',
      PLANNER_PORT: '18093',
      PG_PORT: '15432',
      STACK_HOST: 'localhost',
    });
    expect(endpoints(config)).toEqual({
      kafkaBrokers: 'localhost:19092',
      flinkRestUrl: 'http://localhost:18081',
      plannerUrl: 'http://localhost:18093',
      zookeeper: 'localhost:12181',
      databaseUrl: 'postgresql://postgres:postgres@localhost:15432/pulse',
    });
  });

  it('uses an existing PostgreSQL named by DATABASE_URL', () => {
    const url = 'postgres://history:secret@db.campus.example:6543/pulse';
    const config = loadConfig({ DATABASE_URL: url });
    expect(config.databaseUrl).toBe(url);
    expect(endpoints(config).databaseUrl).toBe(url);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ KAFKA_PORT: 'ninety' })).toThrow(
      new ConfigError('KAFKA_PORT', 'KAFKA_PORT must be an integer from 1 to 65535, got "ninety"'),
    );
    expect(() => loadConfig({ FLINK_TM_MEMORY: 'lots' })).toThrow(/FLINK_TM_MEMORY must be a size/);
    expect(() => loadConfig({ KAFKA_PORT: '2181' })).toThrow(/must differ/);
    expect(() => loadConfig({ PLANNER_PORT: '8081' })).toThrow(/PLANNER_PORT.*must differ/);
  });
});
