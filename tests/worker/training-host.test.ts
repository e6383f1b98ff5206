import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createModel, exportSafetensors, importSafetensors } from '../../src/engine';
import { createEngineHost } from '../../src/worker/engine-host';
import type { FromWorker, ToWorker, TrainSetup } from '../../src/worker/protocol';

type Sent = { msg: FromWorker; transfer: Transferable[] };
type Cmd = ToWorker extends infer M ? (M extends ToWorker ? Omit<M, 'id'> : never) : never;

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

function setup() {
  const sent: Sent[] = [];
  const host = createEngineHost((msg, transfer) => sent.push({ msg, transfer: transfer ?? [] }), {
    yieldBetweenFrames: () => Promise.resolve(),
    yieldBetweenChunks: tick,
    chunkMs: 5,
  });
  let id = 1;
  const send = (m: Cmd) => {
    const msg = { id: id++, ...m };
    return { id: msg.id, done: host.handle(msg) };
  };
  const run = async (m: Cmd) => {
    const s = send(m);
    await s.done;
    return s.id;
  };
  const of = <K extends FromWorker['type']>(type: K) =>
    sent.map((s) => s.msg).filter((m): m is Extract<FromWorker, { type: K }> => m.type === type);
  const answer = (id: number) =>
    sent.map((s) => s.msg).find((m) => (m.type === 'ok' || m.type === 'error') && m.id === id);
  return { host, sent, send, run, of, answer };
}

const base = (over: Partial<TrainSetup> = {}): TrainSetup => ({
  task: 'copy',
  datasetText: null,
  datasetName: null,
  hyper: { hiddenSize: 12, batchSize: 16, learningRate: 0.02, seed: 3 },
  snapshotEvery: 10,
  evalEvery: 20,
  curriculum: false,
  maxSteps: 0,
  ...over,
});

describe('training through the engine host', { timeout: 30000 }, () => {
  it('refuses out-of-range hyperparameters, each with its valid range, and keeps the session', async () => {
    const { run, answer } = setup();
    const good = await run({ type: 'setHyperparams', setup: base(), keepWeights: false });
    expect(answer(good)).toMatchObject({ type: 'ok', ok: { kind: 'training' } });
    const bad = await run({
      type: 'setHyperparams',
      setup: base({ hyper: { learningRate: 5, hiddenSize: 0, clipThreshold: 0 } }),
      keepWeights: false,
    });
    const err = answer(bad);
    expect(err).toMatchObject({ type: 'error', code: 'bad-hyperparams' });
    const issues = err?.type === 'error' ? (err.issues ?? []) : [];
    expect(issues.map((i) => i.key).sort()).toEqual([
      'clipThreshold',
      'hiddenSize',
      'learningRate',
    ]);
    expect(issues.find((i) => i.key === 'learningRate')?.expected).toBe(
      'a number in [0.000001, 1]',
    );
    expect(issues.find((i) => i.key === 'hiddenSize')?.expected).toBe('an integer in [1, 512]');
    // A bidirectional model on a next-step task is refused with the reason.
    const bi = await run({
      type: 'setHyperparams',
      setup: base({
        task: 'char-lm-en',
        datasetText: 'abc abc abc '.repeat(50),
        hyper: { bidirectional: true },
      }),
      keepWeights: false,
    });
    expect(answer(bi)).toMatchObject({
      code: 'bad-hyperparams',
      details: { key: 'bidirectional' },
    });
    // The first session still trains.
    const st = await run({ type: 'step', runId: 1 });
    expect(answer(st)).toMatchObject({ ok: { kind: 'trained', step: 1 } });
  });

  it('names the bad line of a pasted dataset', async () => {
    const { run, answer } = setup();
    const id = await run({
      type: 'setHyperparams',
      setup: base({
        task: 'sentiment-en',
        datasetText: 'pos\tI love it.\nneg\tAwful.\nthis line has no label\n',
        datasetName: 'pasted',
      }),
      keepWeights: false,
    });
    const err = answer(id);
    expect(err).toMatchObject({ type: 'error', code: 'bad-dataset' });
    expect(err?.type === 'error' ? err.message : '').toMatch(/line 3/);
  });

  it('trains in chunks, streams transferable metrics, pauses at once, and loss falls', async () => {
    const { send, run, of, answer, sent } = setup();
    await run({ type: 'setHyperparams', setup: base(), keepWeights: false });
    const training = send({ type: 'train', runId: 7 });
    // Let some chunks run, then pause: the loop answers within one chunk.
    while (of('trainMetrics').reduce((n, m) => n + m.step.length, 0) < 150) await tick();
    const before = of('trainMetrics').length;
    await run({ type: 'pause' });
    await training.done;
    expect(of('paused')).toEqual([{ type: 'paused', runId: 7 }]);
    expect(of('trainMetrics').length - before).toBeLessThanOrEqual(1);
    expect(answer(training.id)).toMatchObject({ ok: { kind: 'trained', status: 'paused' } });

    const metrics = of('trainMetrics');
    const m0 = metrics[0];
    const tr = sent.find((s) => s.msg === m0)!.transfer;
    expect(tr).toContain(m0.loss.buffer);
    expect(m0.clipThreshold).toBe(1);
    const loss = metrics.flatMap((m) => Array.from(m.loss));
    const steps = metrics.flatMap((m) => Array.from(m.step));
    expect(steps.slice(0, 3)).toEqual([1, 2, 3]);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const first = mean(loss.slice(0, 10));
    const last = mean(loss.slice(-10));
    expect(last).toBeLessThan(first * 0.8);
    // Validation at the multiples of evalEvery, snapshots every 10 steps.
    const evals = of('trainEval');
    expect(evals.length).toBeGreaterThan(2);
    expect(Number.isFinite(evals[0].valLoss)).toBe(true);
    expect(evals[0].metrics.values.accuracy).toBeTypeOf('number');
    const progress = of('trainProgress').at(-1)!;
    expect(progress.snapshots.slice(0, 3)).toEqual([0, 10, 20]);
    expect(progress.msPerStep).toBeGreaterThan(0);
  });

  it('shows a snapshot on the timeline, exports weights and loads them back', async () => {
    const { run, answer, of } = setup();
    await run({ type: 'setHyperparams', setup: base({ maxSteps: 30 }), keepWeights: false });
    const tr = await run({ type: 'train', runId: 1 });
    expect(answer(tr)).toMatchObject({ ok: { kind: 'trained', status: 'finished', step: 30 } });
    expect(of('trainProgress').at(-1)?.snapshots).toEqual([0, 10, 20, 30]);

    const v0 = answer(await run({ type: 'viewTraining', step: 0 }));
    const v30 = answer(await run({ type: 'viewTraining', step: null }));
    if (v0?.type !== 'ok' || v0.ok.kind !== 'view' || v30?.type !== 'ok' || v30.ok.kind !== 'view')
      throw new Error('no view');
    expect(v0.ok.view.step).toBe(0);
    expect(v30.ok.view.step).toBe(30);
    const { meta } = v30.ok.view;
    expect(meta.B).toBe(1);
    expect(meta.blocks.map((b) => b.quantity)).toContain('f');
    expect(v30.ok.view.data.length).toBe(meta.blocks.length * meta.T * meta.H);
    expect(v30.ok.view.tokens).toHaveLength(meta.T);
    // Different weights, different gates.
    expect(Array.from(v0.ok.view.data)).not.toEqual(Array.from(v30.ok.view.data));

    const ex = answer(await run({ type: 'exportWeights', format: 'safetensors', step: null }));
    if (ex?.type !== 'ok' || ex.ok.kind !== 'exported') throw new Error('no export');
    expect(ex.ok.fileName).toBe('copy-lstm-step30.safetensors');
    const back = importSafetensors(new Uint8Array(ex.ok.bytes.slice(0)));
    expect(back.model.spec.hiddenSize).toBe(12);
    const json = answer(await run({ type: 'exportWeights', format: 'state-dict-json', step: 10 }));
    if (json?.type !== 'ok' || json.ok.kind !== 'exported') throw new Error('no export');
    const sd = JSON.parse(new TextDecoder().decode(json.ok.bytes)) as Record<string, unknown>;
    expect(Object.keys(sd)).toEqual(
      expect.arrayContaining(['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'fc.weight', 'fc.bias']),
    );

    // Loading the export back gives the same validation loss.
    const info30 = of('trainEval').at(-1)!;
    const ld = answer(
      await run({
        type: 'loadPreset',
        setup: base(),
        fileName: ex.ok.fileName,
        bytes: ex.ok.bytes,
      }),
    );
    if (ld?.type !== 'ok' || ld.ok.kind !== 'training') throw new Error('no load');
    const ev = answer(await run({ type: 'evaluate' }));
    if (ev?.type !== 'ok' || ev.ok.kind !== 'evaluated') throw new Error('no evaluation');
    expect(ev.ok.valLoss).toBeCloseTo(info30.valLoss, 5);
  });

  it('loads a shipped preset whose gates already mean something', async () => {
    const { run, answer } = setup();
    const index = JSON.parse(readFileSync('public/presets/index.json', 'utf8')) as {
      presets: { task: string; cell: string; file: string; hyper: object; value: number }[];
    };
    const p = index.presets.find((x) => x.task === 'recall' && x.cell === 'lstm')!;
    const bytes = new Uint8Array(readFileSync(`public/presets/${p.file}`)).buffer;
    const id = await run({
      type: 'loadPreset',
      setup: base({ task: 'recall', hyper: p.hyper }),
      fileName: p.file,
      bytes,
    });
    const a = answer(id);
    if (a?.type !== 'ok' || a.ok.kind !== 'training') throw new Error(JSON.stringify(a));
    const ev = answer(await run({ type: 'evaluate' }));
    if (ev?.type !== 'ok' || ev.ok.kind !== 'evaluated') throw new Error('no evaluation');
    expect(ev.ok.metrics.primary).toBeCloseTo(p.value, 2);
    const v = answer(await run({ type: 'viewTraining', step: null }));
    expect(v).toMatchObject({ ok: { kind: 'view' } });
  });

  it('a diverging run stops, says why, and keeps the last good weights', async () => {
    const { run, answer, of } = setup();
    const m = createModel(
      {
        cell: 'rnn-tanh',
        inputSize: 1,
        hiddenSize: 8,
        numLayers: 1,
        bidirectional: false,
        bias: true,
        readout: { outputSize: 1, mode: 'every' },
      },
      { seed: 1 },
    );
    m.views['fc.weight'].fill(1e30);
    const u8 = exportSafetensors(m);
    const bytes = u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength) as ArrayBuffer;
    await run({
      type: 'loadPreset',
      setup: base({
        task: 'forecast-synthetic',
        hyper: { optimizer: 'sgd', momentum: 0, learningRate: 1, clipMode: 'off', batchSize: 4 },
      }),
      fileName: 'huge.safetensors',
      bytes,
    });
    const tr = await run({ type: 'train', runId: 2 });
    expect(answer(tr)).toMatchObject({ ok: { kind: 'trained', status: 'diverged', step: 0 } });
    const d = of('diverged')[0].divergence;
    expect(d.reason).toBe('gradient-not-finite');
    expect(d.advice[0]).toBe('clip-gradients');
    const ex = answer(await run({ type: 'exportWeights', format: 'safetensors', step: null }));
    if (ex?.type !== 'ok' || ex.ok.kind !== 'exported') throw new Error('no export');
    const kept = importSafetensors(new Uint8Array(ex.ok.bytes)).model;
    expect(kept.views['fc.weight'][0]).toBe(Math.fround(1e30));
    expect(Array.from(kept.params).every(Number.isFinite)).toBe(true);
  });

  it('generates text from a character model with a temperature', async () => {
    const { run, answer } = setup();
    const text = readFileSync('public/datasets/alice-ch1.txt', 'utf8');
    await run({
      type: 'setHyperparams',
      setup: base({
        task: 'char-lm-en',
        datasetText: text,
        hyper: { hiddenSize: 8, batchSize: 4 },
      }),
      keepWeights: false,
    });
    const g = answer(
      await run({ type: 'generate', step: null, prompt: 'Alice', length: 20, temperature: 0.5 }),
    );
    expect(g).toMatchObject({ ok: { kind: 'generated' } });
    if (g?.type === 'ok' && g.ok.kind === 'generated') expect([...g.ok.text]).toHaveLength(20);
    const bad = answer(
      await run({ type: 'generate', step: null, prompt: 'Alice', length: 20, temperature: 50 }),
    );
    expect(bad).toMatchObject({ type: 'error' });
  });
});
