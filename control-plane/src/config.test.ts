import { describe, expect, it } from 'vitest';
import { ConfigError } from '@pulse/kit';
import { CONFIG_SCHEMA, jdbcVariables, loadConfig, parseJobVariables } from './config.js';

describe('control plane config', () => {
  it('follows the local runtime: KAFKA_PORT alone moves the job API, the jobs and the relay', () => {
    const config = loadConfig({ KAFKA_PORT: '19092', FLINK_REST_PORT: '18081' });
    expect(config.kafkaBrokers).toBe('127.0.0.1:19092');
    expect(config.relay.kafkaBrokers).toEqual(['127.0.0.1:19092']);
    expect(config.jobVariables.BROKERS).toBe('127.0.0.1:19092');
    expect(config.flinkRestUrl).toBe('http://127.0.0.1:18081');
  });

  it('lets explicit addresses win over the runtime defaults', () => {
    const config = loadConfig({
      KAFKA_PORT: '19092',
      KAFKA_BROKERS: 'b1:9092,b2:9092',
      FLINK_REST_URL: 'http://flink:8081/',
      JOB_VARIABLES: 'BROKERS=kafka:29092; CHECKPOINT_INTERVAL=30 s',
    });
    expect(config.relay.kafkaBrokers).toEqual(['b1:9092', 'b2:9092']);
    expect(config.flinkRestUrl).toBe('http://flink:8081');
    expect(config.jobVariables.BROKERS).toBe('kafka:29092');
    expect(config.jobVariables.CHECKPOINT_INTERVAL).toBe('30 s');
  });

  it('gives the jobs JDBC settings from DATABASE_URL, or from the local PostgreSQL port', () => {
    expect(loadConfig({ PG_PORT: '15432' }).jobVariables).toMatchObject({
      JDBC_URL: 'jdbc:postgresql://127.0.0.1:15432/pulse',
      JDBC_USER: 'postgres',
    });
    expect(
      jdbcVariables('postgres://an%40alyst:s%3Bcret@db.example:6543/history?sslmode=require'),
    ).toEqual({
      JDBC_URL: 'jdbc:postgresql://db.example:6543/history?sslmode=require',
      JDBC_USER: 'an@alyst',
      JDBC_PASSWORD: 's;cret',
    });
  });

  it('refuses a bad setting with one message naming the variable', () => {
    const cases: [Record<string, string>, string][] = [
      [{ PORT: 'eighty' }, 'PORT must be an integer from 0 to 65535, got "eighty"'],
      [{ KAFKA_PORT: '70000' }, 'KAFKA_PORT must be an integer from 1 to 65535, got "70000"'],
      [
        { FLINK_REST_URL: 'not a url' },
        'FLINK_REST_URL must be a URL such as http://127.0.0.1:8081',
      ],
      [{ OPERATOR_TOKEN: 'short' }, 'OPERATOR_TOKEN must be at least 12 characters'],
      [
        { LOG_LEVEL: 'loud' },
        'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
      ],
      [{ JOB_VARIABLES: 'lower=case' }, 'JOB_VARIABLES must be NAME=value pairs separated by ";"'],
      [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must be a postgres:// URL'],
    ];
    for (const [env, message] of cases) {
      let caught: unknown;
      try {
        loadConfig(env);
      } catch (err) {
        caught = err;
      }
      expect(caught, JSON.stringify(env)).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).message).toContain(message);
      expect((caught as ConfigError).variable).toBe(Object.keys(env)[0]);
    }
  });

  it('parses job variables strictly', () => {
    expect(parseJobVariables('A=1;B_2=x=y;')).toEqual({ A: '1', B_2: 'x=y' });
  });

  it('documents every variable it reads', () => {
    const names = Object.keys(CONFIG_SCHEMA.properties);
    expect(names).toContain('RELAY_CHANNELS');
    for (const property of Object.values(CONFIG_SCHEMA.properties))
      expect((property as { description?: string }).description).toBeTruthy();
  });
});
