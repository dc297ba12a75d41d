import { describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import { ConfigError, configHelp, configRows, configTable, readEnv } from './config.js';

const schema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'listen port' }),
  MODE: Type.Union([Type.Literal('fast'), Type.Literal('safe')], {
    default: 'safe',
    description: 'how to run',
  }),
  URL: Type.Optional(Type.String({ description: 'where', defaultText: 'from HOST and PORT' })),
  DEBUG: Type.Boolean({ default: false, description: 'log more' }),
});

describe('readEnv', () => {
  it('takes defaults for unset and blank variables and converts set ones', () => {
    expect(readEnv(schema, { PORT: ' ', DEBUG: 'true' })).toEqual({
      PORT: 8080,
      MODE: 'safe',
      DEBUG: true,
    });
    expect(readEnv(schema, { PORT: '19092', MODE: 'fast', URL: 'http://x' })).toMatchObject({
      PORT: 19092,
      MODE: 'fast',
      URL: 'http://x',
    });
  });

  it('names the variable, what it must be and what it got', () => {
    const err = (() => {
      try {
        readEnv(schema, { PORT: '70000' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe('PORT');
    expect((err as ConfigError).message).toBe(
      'PORT must be an integer from 0 to 65535, got "70000"',
    );
    expect(() => readEnv(schema, { MODE: 'slow' })).toThrow(
      'MODE must be one of fast, safe, got "slow"',
    );
    expect(() => readEnv(schema, { PORT: '80a' })).toThrow('PORT must be an integer');
  });
});

describe('documentation from the schema', () => {
  it('lists every variable with its default, derived defaults as written', () => {
    expect(configRows(schema).map((r) => [r.name, r.default])).toEqual([
      ['PORT', '8080'],
      ['MODE', 'safe'],
      ['URL', 'from HOST and PORT'],
      ['DEBUG', 'false'],
    ]);
    expect(configHelp(schema)).toContain('  PORT   listen port (default: 8080)');
    expect(configTable(schema).split('\n')[2]).toBe('| `PORT` | `8080` | listen port |');
  });
});
