import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import uiStatic from './plugin.js';

const root = mkdtempSync(join(tmpdir(), 'ui-dist-'));
mkdirSync(join(root, 'assets'));
writeFileSync(join(root, 'index.html'), '<!doctype html><div id="app"></div>');
writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ui-static', () => {
  it('serves the built page, its assets, and the page again for client-side routes', async () => {
    const app = Fastify();
    await app.register(uiStatic, { root });
    const page = await app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="app"');
    expect((await app.inject('/assets/index-abc.js')).body).toBe('console.log(1)');
    const deep = await app.inject('/operator/jobs');
    expect(deep.statusCode).toBe(200);
    expect(deep.headers['content-type']).toContain('text/html');
    await app.close();
  });

  it('answers unknown API paths and missing files with a JSON 404, not the page', async () => {
    const app = Fastify();
    await app.register(uiStatic, { root });
    const api = await app.inject('/api/nope');
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: 'NOT_FOUND' });
    expect((await app.inject('/assets/missing.js')).statusCode).toBe(404);
    await app.close();
  });

  it('registers nothing when the UI has not been built', async () => {
    const app = Fastify();
    await app.register(uiStatic, { root: join(root, 'absent') });
    expect((await app.inject('/')).statusCode).toBe(404);
    await app.close();
  });
});
