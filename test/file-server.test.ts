/**
 * The attachment file server (support/partners/file-server.ts): a URL published with a
 * delay answers only after it, every request records when it arrived and when its answer
 * was sent, and `peakConcurrency` counts the requests under way at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileServer, peakConcurrency } from '../support/partners/file-server.js';

const at = (start: number, end: number | undefined, path = '/x') => ({ at: start, answeredAt: end, path });

test('peakConcurrency counts overlapping requests; one ending as another arrives does not overlap it', () => {
  assert.equal(peakConcurrency([]), 0);
  assert.equal(peakConcurrency([at(0, 10)]), 1);
  assert.equal(peakConcurrency([at(0, 10), at(10, 20), at(20, 30)]), 1);
  assert.equal(peakConcurrency([at(0, 10), at(5, 15), at(9, 20), at(16, 30)]), 3);
  assert.equal(peakConcurrency([at(0, 100), at(1, 2), at(3, 4), at(5, 6)]), 2);
});

test('peakConcurrency refuses a request not answered yet', () => {
  assert.throws(() => peakConcurrency([at(0, 10), at(5, undefined, '/slow')]), /\/slow has not been answered yet/);
});

test('a URL published with a delay answers after it, and concurrent fetches are seen as such', async () => {
  const server = new FileServer();
  try {
    const sid = 'sfileservertest';
    const urls = await Promise.all(['a', 'b', 'c'].map((name) => server.publish(sid, `${name}.bin`, Buffer.from(name), undefined, { delayMs: 300 })));
    const started = Date.now();
    // Two at once, then the third after both.
    const first = await Promise.all(urls.slice(0, 2).map(async (url) => Buffer.from(await (await fetch(url)).arrayBuffer()).toString()));
    const third = Buffer.from(await (await fetch(urls[2]!)).arrayBuffer()).toString();
    assert.deepEqual([...first, third], ['a', 'b', 'c']);
    assert.ok(Date.now() - started >= 600, 'each answer came after the delay');
    const requests = server.requestsOf(sid);
    assert.deepEqual(requests.map((r) => r.path.split('/').pop()).sort(), ['a.bin', 'b.bin', 'c.bin']);
    for (const r of requests) assert.ok(r.answeredAt !== undefined && r.answeredAt - r.at >= 290, `${r.path} answered after the delay`);
    assert.equal(peakConcurrency(requests), 2);
  } finally {
    await server.close();
  }
});
