import { WebhookSink } from './webhook-sink.js';

function post(url: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
    body: JSON.stringify(body),
    ...init,
  });
}

describe('WebhookSink', () => {
  let sink: WebhookSink;

  beforeEach(async () => {
    sink = await WebhookSink.start();
  });

  afterEach(async () => {
    await sink.close();
  });

  it('records method, path, query, headers, raw body, parsed JSON and timing', async () => {
    const before = Date.now();
    const res = await post(sink.urlFor('/hooks/a?x=1'), { event: 'mail.received', n: 1 });
    expect(res.status).toBe(200);

    const [req] = await sink.waitFor(1);
    expect(req).toMatchObject({
      method: 'POST',
      path: '/hooks/a',
      url: '/hooks/a?x=1',
      json: { event: 'mail.received', n: 1 },
    });
    expect(req?.headers['webhook-id']).toBe('msg_1');
    expect(req?.body.toString()).toBe('{"event":"mail.received","n":1}');
    expect(req?.receivedAt).toBeGreaterThanOrEqual(before);
    expect(req?.completedAt).toBeGreaterThanOrEqual(req?.receivedAt ?? Infinity);
  });

  it('keeps non-JSON bodies raw', async () => {
    await fetch(sink.url, { method: 'PUT', body: Buffer.from([0xff, 0x00, 0x41]) });
    const [req] = await sink.waitFor(1);
    expect(req?.json).toBeUndefined();
    expect([...(req?.body ?? [])]).toEqual([0xff, 0x00, 0x41]);
  });

  it('answers from the global queue in order, then with the default', async () => {
    sink.enqueue(
      { status: 500 },
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 201, body: { ok: true } },
    );
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await post(sink.url, { i }));
    expect(statuses.map((r) => r.status)).toEqual([500, 429, 201, 200]);
    expect(statuses[1]?.headers.get('retry-after')).toBe('1');
    expect(await statuses[2]?.json()).toEqual({ ok: true });
  });

  it('prefers a path queue, then the global queue, then the path default', async () => {
    sink
      .enqueueFor('/a', { status: 503 })
      .enqueue({ status: 502 })
      .setDefault({ status: 204 }, '/a')
      .setDefault({ status: 410 });
    const a1 = await post(sink.urlFor('/a'), {});
    const a2 = await post(sink.urlFor('/a'), {});
    const a3 = await post(sink.urlFor('/a'), {});
    const b1 = await post(sink.urlFor('/b'), {});
    expect([a1.status, a2.status, a3.status, b1.status]).toEqual([503, 502, 204, 410]);
    expect(sink.requestsFor('/a')).toHaveLength(3);
  });

  it('delays a response', async () => {
    sink.enqueue({ delayMs: 300 });
    const t0 = performance.now();
    const res = await post(sink.url, {});
    expect(res.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('redirects with Location', async () => {
    sink.enqueueFor('/old', { redirectTo: sink.urlFor('/new') });
    const manual = await post(sink.urlFor('/old'), {}, { redirect: 'manual' });
    expect(manual.status).toBe(307);
    expect(manual.headers.get('location')).toBe(sink.urlFor('/new'));

    sink.enqueueFor('/old', { redirectTo: '/new', status: 308 });
    const followed = await post(sink.urlFor('/old'), { again: true });
    expect(followed.status).toBe(200);
    const reqs = await sink.waitFor(1, 1000, '/new');
    expect(reqs[0]?.json).toEqual({ again: true });
  });

  it('can hang until the client gives up', async () => {
    sink.enqueue({ hang: true });
    await expect(post(sink.url, {}, { signal: AbortSignal.timeout(200) })).rejects.toThrow(/abort|timeout/i);
    expect(await sink.waitFor(1)).toHaveLength(1);
  });

  it('can drop the connection without answering', async () => {
    sink.enqueue({ drop: true });
    await expect(post(sink.url, {})).rejects.toThrow(/fetch failed/);
    expect(sink.requests).toHaveLength(1);
  });

  it('waitFor resolves as requests arrive and rejects with a clear message on timeout', async () => {
    const waiting = sink.waitFor(2, 2000);
    await post(sink.urlFor('/one'), {});
    await post(sink.urlFor('/two'), {});
    expect((await waiting).map((r) => r.path)).toEqual(['/one', '/two']);

    await expect(sink.waitFor(3, 100)).rejects.toThrow(
      'webhook sink: expected at least 3 request(s) within 100 ms, got 2 (POST /one, POST /two)',
    );
    await expect(sink.waitFor(1, 100, '/three')).rejects.toThrow(/to \/three within 100 ms, got 0 \(none\)/);
  });

  it('reset forgets requests and scripts', async () => {
    sink.enqueue({ status: 500 });
    await post(sink.url, {});
    sink.reset();
    expect(sink.requests).toEqual([]);
    expect((await post(sink.url, {})).status).toBe(200);
  });

  it('close cuts hanging requests and rejects pending waiters', async () => {
    sink.enqueue({ hang: true });
    const hanging = post(sink.url, {});
    await sink.waitFor(1);
    const waiting = expect(sink.waitFor(5, 10_000)).rejects.toThrow(/closed while waiting for 5/);
    const cut = expect(hanging).rejects.toThrow();
    await sink.close();
    await Promise.all([waiting, cut]);
  });
});
