/**
 * Browser page for the heatmap scrub benchmark, served by a Vite dev server from
 * `tests/e2e/panels-bench.e2e.ts` (it lives outside tests/e2e, which is type-checked for
 * Node): the real "Gate heatmaps" panel on a synthetic LSTM trace of T = 2000, H = 256
 * (larger than the app's URL limit allows), driven through the store.
 */
import { createRoot } from 'react-dom/client';
import type { Quantity } from '../../src/engine/types';
import { initI18n } from '../../src/i18n';
import { HeatmapPanel } from '../../src/panels/Heatmap/HeatmapPanel';
import '../../src/panels/panels.css';
import { useAppStore } from '../../src/store';
import type { StoreTrace } from '../../src/store/trace-slice';
import '../../src/ui/styles.css';
import { HEATMAP_REDRAW_MEASURE } from '../../src/viz/perf';

const T = 2000;
const H = 256;
const Q: Quantity[] = ['i', 'f', 'g', 'o', 'c', 'h'];

function synthetic(): StoreTrace {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const layer: Partial<Record<Quantity, Float32Array>> = {};
  for (const q of Q) {
    const a = new Float32Array(T * H);
    for (let t = 0; t < T; t++)
      for (let u = 0; u < H; u++) {
        const wave = Math.sin(t / (7 + (u % 13)) + u);
        const v = 0.7 * wave + 0.3 * rand();
        a[t * H + u] = q === 'g' || q === 'h' ? v : q === 'c' ? 3 * v : 0.5 + 0.5 * v;
      }
    layer[q] = a;
  }
  return {
    runId: 1,
    meta: {
      spec: {
        cell: 'lstm',
        inputSize: 8,
        hiddenSize: H,
        numLayers: 1,
        bidirectional: false,
        bias: true,
      },
      T,
      B: 1,
      H,
      blocks: [],
    },
    layers: { l0: layer },
    pre: { l0: {} },
    input: new Float32Array(T * 8),
    tokens: Array.from({ length: T }, (_, k) => 'abcdefgh '[k % 9]),
  };
}

const frame = () => new Promise((r) => requestAnimationFrame(r));
const measures = () => performance.getEntriesByName(HEATMAP_REDRAW_MEASURE).map((e) => e.duration);

initI18n('en');
useAppStore.setState({ trace: synthetic(), traceT: T, traceVersion: 1, t: 0 });
createRoot(document.getElementById('bench')!).render(<HeatmapPanel />);

declare global {
  interface Window {
    panelsBench: {
      ready: () => boolean;
      scrub: (steps: number) => Promise<number[]>;
      rebuild: (times: number) => Promise<number[]>;
    };
  }
}

window.panelsBench = {
  ready: () => document.querySelectorAll('.heatmap-canvas').length === 2 * Q.length,
  /** Move the step by one per animation frame; the redraw measure of each frame. */
  async scrub(steps) {
    await frame();
    performance.clearMeasures(HEATMAP_REDRAW_MEASURE);
    for (let k = 1; k <= steps; k++) {
      useAppStore.getState().setT(k % T);
      await frame();
    }
    return measures();
  },
  /** Replace the trace (same data, new identity) so every data layer is rebuilt. */
  async rebuild(times) {
    await frame();
    performance.clearMeasures(HEATMAP_REDRAW_MEASURE);
    for (let k = 0; k < times; k++) {
      const s = useAppStore.getState();
      useAppStore.setState({ trace: { ...s.trace! }, traceVersion: s.traceVersion + 1 });
      await frame();
    }
    return measures();
  },
};
