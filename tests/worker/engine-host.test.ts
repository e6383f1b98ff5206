import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createModel } from '../../src/engine/model';
import { forward } from '../../src/engine/unroll';
import type { ModelSpec } from '../../src/engine/types';
import { createEngineHost } from '../../src/worker/engine-host';
import {
  MAX_STEPS,
  PROTOCOL_VERSION,
  type FromWorker,
  type InputPayload,
  type ToWorker,
} from '../../src/worker/protocol';

type Sent = { msg: FromWorker; transfer: Transferable[] };
/** A command without its id (distributed over the union). */
type Cmd = ToWorker extends infer M ? (M extends ToWorker ? Omit<M, 'id'> : never) : never;

function setup(options: Parameters<typeof createEngineHost>[1] = {}) {
  const sent: Sent[] = [];
  const host = createEngineHost((msg, transfer) => sent.push({ msg, transfer: transfer ?? [] }), {
    yieldBetweenFrames: () => Promise.resolve(),
    ...options,
  });
  let id = 1;
  const send = async (m: Cmd) => {
    const msg = { id: id++, ...m };
    await host.handle(msg);
    return msg.id;
  };
  const of = <K extends FromWorker['type']>(type: K) =>
    sent.map((s) => s.msg).filter((m): m is Extract<FromWorker, { type: K }> => m.type === type);
  return { host, sent, send, of };
}

const spec: ModelSpec = {
  cell: 'lstm',
  inputSize: 3,
  hiddenSize: 5,
  numLayers: 2,
  bidirectional: true,
  bias: true,
};

function seqInput(T: number, I: number): InputPayload {
  const data = new Float32Array(T * I);
  for (let k = 0; k < data.length; k++) data[k] = Math.sin(k * 0.37);
  return { T, B: 1, inputSize: I, data };
}

describe('engine host', () => {
  it('says ready with the protocol version', async () => {
    const { of } = setup();
    await Promise.resolve();
    expect(of('ready')).toEqual([{ type: 'ready', protocolVersion: PROTOCOL_VERSION }]);
  });

  it('configures a seeded model and returns copies of its parameters, transferred', async () => {
    const { send, sent, of } = setup();
    const id = await send({ type: 'configure', source: { kind: 'seeded', spec, seed: 3 } });
    const ok = of('ok').find((m) => m.id === id);
    expect(ok?.ok.kind).toBe('configure');
    if (ok?.ok.kind !== 'configure') return;
    const ref = createModel(spec, { seed: 3 });
    expect(ok.ok.result.paramCount).toBe(ref.params.length);
    expect(ok.ok.result.spec).toEqual(ref.spec);
    expect(Array.from(ok.ok.result.params.weight_hh_l1_reverse.data)).toEqual(
      Array.from(ref.views.weight_hh_l1_reverse),
    );
    const transfer = sent.find((s) => s.msg === ok)!.transfer;
    expect(transfer.length).toBe(Object.keys(ok.ok.result.params).length);
  });

  it('streams a forward run in time-major frames that match the engine', async () => {
    const T = 50;
    const { send, sent, of } = setup({ frameValues: 600 });
    await send({ type: 'configure', source: { kind: 'seeded', spec, seed: 3 } });
    await send({ type: 'setInput', input: seqInput(T, 3) });
    const runId = 7;
    const id = await send({ type: 'runForward', runId });

    const frames = of('traceFrame');
    expect(frames.length).toBeGreaterThan(1);
    expect(frames.every((f) => f.runId === runId)).toBe(true);
    // Contiguous, covering [0, T).
    expect(frames[0].t0).toBe(0);
    for (let k = 1; k < frames.length; k++) expect(frames[k].t0).toBe(frames[k - 1].t1);
    expect(frames.at(-1)!.t1).toBe(T);
    // Each frame's own buffer is transferred.
    for (const f of frames) {
      expect(sent.find((s) => s.msg === f)!.transfer).toEqual([f.data.buffer]);
    }

    const ref = forward(createModel(spec, { seed: 3 }), seqInput(T, 3).data);
    const { blocks, H, B } = frames[0].meta;
    expect(blocks.filter((b) => b.kind === 'act').map((b) => `${b.key}.${b.quantity}`)).toEqual(
      ['l0', 'l0_reverse', 'l1', 'l1_reverse'].flatMap((k) =>
        ['i', 'f', 'g', 'o', 'c', 'h'].map((q) => `${k}.${q}`),
      ),
    );
    blocks.forEach((b, k) => {
      const lt = ref.layers.find((l) => l.key === b.key)!;
      const want = (b.kind === 'act' ? lt.act : lt.pre)[b.quantity]!;
      for (const f of frames) {
        const n = (f.t1 - f.t0) * B * H;
        expect(Array.from(f.data.subarray(k * n, (k + 1) * n))).toEqual(
          Array.from(want.subarray(f.t0 * B * H, f.t1 * B * H)),
        );
      }
    });
    expect(of('progress').at(-1)).toEqual({ type: 'progress', runId, done: T, total: T });
    expect(of('metrics')[0]).toMatchObject({ runId, steps: T });
    const ok = of('ok').find((m) => m.id === id);
    expect(ok?.ok).toMatchObject({ kind: 'run', result: { runId, T } });
  });

  it('cancels a streaming run when a newer run starts', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { host, of } = setup({ frameValues: 200, yieldBetweenFrames: () => gate });
    await host.handle({ type: 'configure', id: 1, source: { kind: 'seeded', spec, seed: 1 } });
    await host.handle({ type: 'setInput', id: 2, input: seqInput(40, 3) });
    const first = host.handle({ type: 'runForward', id: 3, runId: 1 });
    await Promise.resolve();
    const framesOfFirst = of('traceFrame').length;
    expect(framesOfFirst).toBe(1);
    const second = host.handle({ type: 'runForward', id: 4, runId: 2 });
    release();
    await Promise.all([first, second]);
    const errs = of('error');
    expect(errs).toEqual([expect.objectContaining({ id: 3, runId: 1, code: 'cancelled' })]);
    expect(of('traceFrame').filter((f) => f.runId === 1)).toHaveLength(1);
    expect(
      of('traceFrame')
        .filter((f) => f.runId === 2)
        .at(-1)?.t1,
    ).toBe(40);
  });

  it('answers bad commands with specific errors and keeps the last good model', async () => {
    const { send, of } = setup();
    await send({ type: 'runForward', runId: 1 });
    expect(of('error').at(-1)).toMatchObject({ code: 'no-model' });

    await send({
      type: 'configure',
      source: { kind: 'seeded', spec: { ...spec, hiddenSize: 0 }, seed: 1 },
    });
    expect(of('error').at(-1)).toMatchObject({ code: 'bad-spec' });
    expect(of('error').at(-1)?.message).toContain('hiddenSize');

    await send({ type: 'configure', source: { kind: 'seeded', spec, seed: 1 } });
    await send({ type: 'setInput', input: seqInput(4, 2) });
    await send({ type: 'runForward', runId: 2 });
    expect(of('error').at(-1)).toMatchObject({
      code: 'input-size-mismatch',
      runId: 2,
      details: { actual: 2, expected: 3 },
    });

    await send({ type: 'setInput', input: seqInput(MAX_STEPS + 1, 3) });
    expect(of('error').at(-1)).toMatchObject({ code: 'too-long' });
    await send({
      type: 'setInput',
      input: { T: 3, B: 1, inputSize: 3, data: new Float32Array(5) },
    });
    expect(of('error').at(-1)).toMatchObject({ code: 'bad-message' });

    await send({ type: 'train', runId: 3 });
    expect(of('error').at(-1)).toMatchObject({ code: 'no-training' });
    await host_unknown(send);
    expect(of('error').at(-1)).toMatchObject({ code: 'bad-message' });

    // The good model and a fitting input still run.
    await send({ type: 'setInput', input: seqInput(4, 3) });
    const id = await send({ type: 'runForward', runId: 4 });
    expect(of('ok').find((m) => m.id === id)?.ok.kind).toBe('run');
  });

  it('streams T = 2000 in several frames', async () => {
    const { send, of } = setup();
    await send({
      type: 'configure',
      source: { kind: 'seeded', spec: { ...spec, numLayers: 1, bidirectional: false }, seed: 1 },
    });
    await send({ type: 'setInput', input: seqInput(2000, 3) });
    await send({ type: 'runForward', runId: 1 });
    const frames = of('traceFrame');
    expect(frames.length).toBeGreaterThan(3);
    expect(frames.at(-1)!.t1).toBe(2000);
  });
});

async function host_unknown(send: (m: Cmd) => Promise<number>) {
  await send({ type: 'nope' } as unknown as Cmd);
}

const fixture = (name: string) => `tests/fixtures/reference/${name}`;
const bytesOf = (text: string) => new TextEncoder().encode(text).buffer;
type RefTensor = { shape: number[]; data: number[] };

describe('engine host with imported weights', () => {
  it('reads the spec of a state_dict JSON from its shapes and runs it', async () => {
    const c = JSON.parse(readFileSync(fixture('lstm_basic.json'), 'utf8')) as {
      stateDict: Record<string, RefTensor>;
      input: RefTensor;
    };
    const { send, of } = setup();
    const id = await send({
      type: 'configure',
      source: {
        kind: 'weights',
        format: 'state-dict-json',
        fileName: 'lstm.json',
        bytes: bytesOf(JSON.stringify(c.stateDict)),
        formOverride: null,
      },
    });
    const ok = of('ok').find((m) => m.id === id)?.ok;
    expect(ok).toMatchObject({
      kind: 'configure',
      result: { fileName: 'lstm.json', spec: { cell: 'lstm', inputSize: 3, hiddenSize: 5 } },
    });
    await send({
      type: 'setInput',
      input: { T: 7, B: 1, inputSize: 3, data: Float32Array.from(c.input.data) },
    });
    await send({ type: 'runForward', runId: 1 });
    expect(of('traceFrame').at(-1)?.t1).toBe(7);
  });

  it('accepts a whole reference case file (its stateDict) and a GRU in the textbook form', async () => {
    const text = readFileSync(fixture('gru_textbook_basic.json'), 'utf8');
    const { send, of } = setup();
    const id = await send({
      type: 'configure',
      source: {
        kind: 'weights',
        format: 'state-dict-json',
        fileName: 'gru.json',
        bytes: bytesOf(text),
        formOverride: 'gru-textbook',
      },
    });
    expect(of('ok').find((m) => m.id === id)?.ok).toMatchObject({
      result: { spec: { cell: 'gru-textbook' } },
    });
  });

  it('reads .safetensors', async () => {
    const buf = readFileSync(fixture('st_lstm_f32.safetensors'));
    const { send, of } = setup();
    const id = await send({
      type: 'configure',
      source: {
        kind: 'weights',
        format: 'safetensors',
        fileName: 'm.safetensors',
        bytes: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
        formOverride: null,
      },
    });
    expect(of('ok').find((m) => m.id === id)?.ok).toMatchObject({
      result: { spec: { cell: 'lstm' } },
    });
  });

  it("refuses weights with a wrong shape with the importer's exact message", async () => {
    const c = JSON.parse(readFileSync(fixture('lstm_basic.json'), 'utf8')) as {
      stateDict: Record<string, RefTensor>;
    };
    const sd = { ...c.stateDict, bias_hh_l0: { shape: [7], data: [1, 2, 3, 4, 5, 6, 7] } };
    const { send, of } = setup();
    await send({
      type: 'configure',
      source: {
        kind: 'weights',
        format: 'state-dict-json',
        fileName: 'bad.json',
        bytes: bytesOf(JSON.stringify(sd)),
        formOverride: null,
      },
    });
    const err = of('error').at(-1);
    expect(err?.code).toBe('bad-weights');
    expect(err?.message).toContain('bias_hh_l0');
    expect(err?.message).toContain('[7]');
  });
});
