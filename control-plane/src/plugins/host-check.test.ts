import { describe, expect, it } from 'vitest';
import { hostAllowed, hostName } from './host-check.js';

describe('host check', () => {
  it('reads the host name from Host headers with ports and IPv6 brackets', () => {
    expect(hostName('LocalHost:8080')).toBe('localhost');
    expect(hostName('[::1]:8080')).toBe('::1');
    expect(hostName('::1')).toBe('::1');
    expect(hostName('dash.example')).toBe('dash.example');
    expect(hostName(undefined)).toBe('');
  });

  it('refuses a rebinding attacker’s name pointing at loopback', () => {
    const allowed = ['localhost', '127.0.0.1', '::1'];
    expect(hostAllowed('127.0.0.1:8080', allowed)).toBe(true);
    expect(hostAllowed('[::1]:8080', allowed)).toBe(true);
    expect(hostAllowed('attacker.example:8080', allowed)).toBe(false);
    expect(hostAllowed(undefined, allowed)).toBe(false);
    expect(hostAllowed('anything', ['*'])).toBe(true);
  });
});
