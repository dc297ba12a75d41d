/**
 * `npm start`'s own settings, checked once at start-up (the runtime's come from the launcher's
 * schema, the control plane's from its own).
 */
import { Type } from 'typebox';
import { readEnv, type Env } from '@pulse/kit';

/** Every environment variable npm start reads itself, with its default and meaning. */
export const START_CONFIG_SCHEMA = Type.Object({
  CONTROL_PLANE_PORT: Type.Integer({
    minimum: 1,
    maximum: 65535,
    default: 8080,
    description: 'port of the dashboard, API and relay',
  }),
  OPERATOR_TOKEN: Type.Optional(
    Type.String({
      minLength: 12,
      expect: 'at least 12 characters',
      defaultText: 'generated once, kept in <runtime folder>/operator-token',
      description: 'bearer token for mutating calls',
    }),
  ),
  DEMO_RATE: Type.Number({
    exclusiveMinimum: 0,
    maximum: 10_000,
    default: 50,
    expect: 'a number of requests per second above 0',
    description: 'demo web requests per second at the daily peak',
  }),
  WATCHER_HTTP_PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 9464,
    description: "port of the demo watcher's /health and /metrics",
  }),
  RELAY_ALLOWED_ORIGINS: Type.Optional(
    Type.String({
      defaultText: 'http://127.0.0.1:<port>,http://localhost:<port>',
      description: 'browser origins allowed to open the live feed',
    }),
  ),
});

export interface StartConfig {
  controlPlanePort: number;
  operatorToken: string | undefined;
  demoRate: number;
  watcherHttpPort: number;
  allowedOrigins: string;
}

/** Reads and checks npm start's settings; throws ConfigError naming the variable. */
export function loadStartConfig(env: Env = process.env): StartConfig {
  const e = readEnv(START_CONFIG_SCHEMA, env);
  const port = e.CONTROL_PLANE_PORT;
  return {
    controlPlanePort: port,
    operatorToken: e.OPERATOR_TOKEN,
    demoRate: e.DEMO_RATE,
    watcherHttpPort: e.WATCHER_HTTP_PORT,
    allowedOrigins: e.RELAY_ALLOWED_ORIGINS ?? `http://127.0.0.1:${port},http://localhost:${port}`,
  };
}
