/** The comparison host without a Worker, and the client over its in-thread fallback. */
import { describe, expect, it } from 'vitest';
import type { CompareEvent } from '../../src/engine/compare';
import { createCompareClient } from '../../src/worker/compare-client';
import { createCompareHost } from '../../src/worker/compare-host';
import { COMPARE_PROTOCOL_VERSION, type FromCompare } from '../../src/worker/compare-protocol';

const SMALL = { hiddenSize: 4, trainSteps: 10, sweepDelays: [2], sweepSteps: 10, flowDelay: 6 };

function collect() {
  const out: { msg: FromCompare; transfer?: Transferable[] }[] = [];
  let clock = 0;
  const host = createCompareHost((msg, transfer) => out.push({ msg, transfer }), {
    now: () => (clock += 1),
    yieldBetweenChunks: () => Promise.resolve(),
  });
  return { host, out };
}

describe('compare host', () => {
  it('says ready, accepts a run and streams its events to done', async () => {
    const { host, out } = collect();
    expect(out[0].msg).toEqual({ type: 'ready', protocolVersion: COMPARE_PROTOCOL_VERSION });
    await host.handle({ type: 'start', id: 1, runId: 7, config: SMALL });
    expect(out[1].msg).toEqual({ type: 'ok', id: 1 });
    const events = out.flatMap((o) => (o.msg.type === 'event' ? [o.msg] : []));
    expect(events.every((m) => m.runId === 7)).toBe(true);
    expect(events[0].event.kind).toBe('plan');
    expect(events[events.length - 1].event.kind).toBe('done');
    // Hidden states travel as transferables.
    const states = out.find((o) => o.msg.type === 'event' && o.msg.event.kind === 'states');
    expect(states?.transfer).toHaveLength(1);
  });

  it('refuses bad settings naming the key', async () => {
    const { host, out } = collect();
    await host.handle({ type: 'start', id: 2, runId: 1, config: { trainSteps: 3 } });
    const err = out.find((o) => o.msg.type === 'error')?.msg;
    expect(err).toMatchObject({ type: 'error', id: 2, code: 'config-invalid' });
    expect((err as { message: string }).message).toMatch(
      /`trainSteps` must be an integer in \[10, 2000\]/,
    );
  });

  it('stops at the next chunk when cancelled', async () => {
    const out: FromCompare[] = [];
    let release!: () => void;
    let chunks = 0;
    const host = createCompareHost((m) => out.push(m), {
      now: () => 0,
      yieldBetweenChunks: () =>
        ++chunks === 2 ? new Promise<void>((r) => (release = r)) : Promise.resolve(),
    });
    const running = host.handle({ type: 'start', id: 1, runId: 3, config: SMALL });
    await new Promise((r) => setTimeout(r, 0));
    await host.handle({ type: 'cancel', id: 2 });
    release();
    await running;
    expect(out.some((m) => m.type === 'cancelled' && m.runId === 3)).toBe(true);
    expect(out.some((m) => m.type === 'event' && m.event.kind === 'done')).toBe(false);
    const progress = out.filter((m) => m.type === 'event' && m.event.kind === 'progress');
    expect(progress).toHaveLength(2);
  });
});

describe('compare client (in-thread)', () => {
  it('runs a comparison and drops the events of a cancelled one', async () => {
    const seen: { kind: CompareEvent['kind']; runId: number }[] = [];
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    const client = createCompareClient({
      createWorker: () => null,
      listener: {
        event: (e, runId) => {
          seen.push({ kind: e.kind, runId });
          if (e.kind === 'done') finished();
        },
      },
    });
    expect(client.mode).toBe('in-thread');
    const first = await client.start(SMALL);
    await client.cancel();
    const second = await client.start(SMALL);
    await done;
    expect(second).toBeGreaterThan(first);
    const afterCancel = seen.filter((s) => s.runId === first && s.kind === 'done');
    expect(afterCancel).toHaveLength(0);
    expect(seen.filter((s) => s.kind === 'done')).toEqual([{ kind: 'done', runId: second }]);
    await expect(client.start({ hiddenSize: 1 })).rejects.toThrow(/hiddenSize/);
    client.dispose();
  });
});
