import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { toNodeHandler } from '../../src/http/index.js';
import { serve } from './http-helpers.js';

describe('toNodeHandler', () => {
  it('passes method, path, query and headers through and writes status, headers and body back', async () => {
    let seen: Request | null = null;
    const url = await serve(async (request) => {
      seen = request;
      const headers = new Headers({ 'content-type': 'application/json', 'x-one': '1' });
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      return new Response(JSON.stringify({ ok: true }), { status: 201, headers });
    });
    const response = await fetch(`${url}/api/progress/jobs?scope=user:1`, {
      headers: { 'x-custom': 'yes' },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-one')).toBe('1');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ ok: true });
    const request = seen as unknown as Request;
    expect(request.method).toBe('GET');
    expect(new URL(request.url).pathname).toBe('/api/progress/jobs');
    expect(new URL(request.url).searchParams.get('scope')).toBe('user:1');
    expect(request.headers.get('x-custom')).toBe('yes');
  });

  it('keeps a path starting with // a path', async () => {
    let path = '';
    const url = await serve(async (request) => {
      path = new URL(request.url).pathname;
      return new Response(null, { status: 204 });
    });
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${url}//evil.example/jobs`, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    expect(path).toBe('//evil.example/jobs');
  });

  it('aborts the request signal when the client goes away mid-stream', async () => {
    let aborted: Promise<void> = Promise.resolve();
    const url = await serve(async (request) => {
      aborted = new Promise((resolve) => request.signal.addEventListener('abort', () => resolve()));
      const body = new ReadableStream<Uint8Array>({
        start: (controller) => controller.enqueue(new TextEncoder().encode('data: 1\n\n')),
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    });
    const response = await fetch(`${url}/events`);
    const reader = response.body?.getReader();
    expect((await reader?.read())?.done).toBe(false);
    await reader?.cancel();
    await expect(aborted).resolves.toBeUndefined();
  });

  it('works as Express middleware: originalUrl wins and errors go to next()', async () => {
    const failing = toNodeHandler(async () => {
      throw new Error('boom');
    });
    const errors: unknown[] = [];
    const { IncomingMessage, ServerResponse } = await import('node:http');
    const { Socket } = await import('node:net');
    const req = new IncomingMessage(new Socket());
    req.url = '/jobs';
    (req as unknown as { originalUrl: string }).originalUrl = '/api/progress/jobs';
    req.method = 'GET';
    const res = new ServerResponse(req);
    await new Promise<void>((resolve) =>
      failing(req, res, (error) => {
        errors.push(error);
        resolve();
      }),
    );
    expect((errors[0] as Error).message).toBe('boom');

    let path = '';
    const mounted = toNodeHandler(async (request) => {
      path = new URL(request.url).pathname;
      return new Response('ok');
    });
    const res2 = new ServerResponse(req);
    await new Promise<void>((resolve) => {
      res2.end = (() => {
        resolve();
        return res2;
      }) as typeof res2.end;
      mounted(req, res2);
    });
    expect(path).toBe('/api/progress/jobs');
  });

  it('answers TRACE with a quiet 405 carrying the security headers, without calling the handler', async () => {
    let calls = 0;
    const url = await serve(async () => {
      calls += 1;
      return new Response('never');
    });
    const { status, headers, body } = await new Promise<{
      status: number;
      headers: Record<string, unknown>;
      body: string;
    }>((resolve, reject) => {
      const req = httpRequest(`${url}/jobs`, { method: 'TRACE' }, (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(405);
    expect(headers.allow).toBe('GET');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(body)).toEqual({
      error: { code: 'bad_request', message: 'Method TRACE is not allowed' },
    });
    expect(calls).toBe(0);
  });
});
