import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import { freePort, PORT_RANGE, portSlice } from '../support/base/net.js';

test('the port range lies below the kernel ephemeral range, where outgoing connections take their source ports', () => {
  const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  assert.ok(PORT_RANGE.high < low!, `${PORT_RANGE.high} below the ephemeral range starting at ${low}`);
});

test('each Cucumber worker draws from a slice of its own, inside the range', () => {
  const slices = ['0', '1', '2', '3', '4', '5', '6', '7'].map((id) => portSlice(id));
  for (const [i, a] of slices.entries()) {
    assert.ok(a.low >= PORT_RANGE.low && a.low + a.size - 1 <= PORT_RANGE.high, `slice ${i} inside the range`);
    for (const b of slices.slice(i + 1)) assert.ok(a.low + a.size <= b.low || b.low + b.size <= a.low, `slices ${a.low} and ${b.low} do not overlap`);
  }
  assert.deepEqual(portSlice(undefined, 3), portSlice('3'), 'without a worker id, the process id chooses the slice');
});

test('freePort hands out distinct free ports from its slice, even to calls at the same moment', async () => {
  const { low, size } = portSlice();
  const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
  assert.equal(new Set(ports).size, ports.length, `distinct: ${ports.join(', ')}`);
  for (const port of ports) assert.ok(port >= low && port < low + size, `${port} in ${low}-${low + size - 1}`);
});

test('freePort skips a port something listens on', async (t) => {
  const first = await freePort();
  const { low, size } = portSlice();
  // The next port in the slice is taken before freePort gets to it.
  const next = low + ((first - low + 1) % size);
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(next, '127.0.0.1', resolve));
  t.after(() => blocker.close());
  const port = await freePort();
  assert.notEqual(port, next);
  assert.ok(port >= low && port < low + size);
});
