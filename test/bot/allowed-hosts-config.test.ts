// ALLOWED_HOSTS: a comma list of host names, normalized and validated once at start; `*` alone turns the
// DNS-rebinding check off.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/bot/config.js';
import { configProblems as problems } from '../helpers/config-problems.js';

describe('ALLOWED_HOSTS', () => {
  it('defaults to none beyond the loopback names and HOST', () => {
    expect(loadConfig({}).ALLOWED_HOSTS).toEqual([]);
    expect(loadConfig({ ALLOWED_HOSTS: ' , ' }).ALLOWED_HOSTS).toEqual([]);
  });

  it('normalizes names: case, trailing dot, IPv6 form, duplicates, spaces', () => {
    const c = loadConfig({ ALLOWED_HOSTS: ' Sidecar.LAN. , 192.168.1.20,[0:0:0:0:0:0:0:1], sidecar.lan,my_box ' });
    expect(c.ALLOWED_HOSTS).toEqual(['sidecar.lan', '192.168.1.20', '[::1]', 'my_box']);
    expect(Object.isFrozen(c.ALLOWED_HOSTS)).toBe(true);
  });

  it('`*` alone turns the check off', () => {
    expect(loadConfig({ ALLOWED_HOSTS: '*' }).ALLOWED_HOSTS).toBe('*');
    expect(loadConfig({ ALLOWED_HOSTS: ' * , ' }).ALLOWED_HOSTS).toBe('*');
  });

  it.each([
    ['a port', 'sidecar.lan:8787'],
    ['a scheme', 'http://sidecar.lan'],
    ['a path', 'sidecar.lan/x'],
    ['bare IPv6', '::1'],
    ['a wildcard pattern', '*.example.com'],
    ['* with other names', '*,sidecar.lan'],
    ['an empty label', 'a..b'],
    ['a space inside', 'side car'],
    ['an ambiguous number', '127.1'],
  ])('rejects %s, naming the variable and the entry', (_what, value) => {
    const lines = problems({ ALLOWED_HOSTS: value });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ALLOWED_HOSTS: /);
  });
});
