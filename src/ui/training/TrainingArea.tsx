import { useEffect, useState } from 'react';
import { TrainingPanel } from '../../panels/Training/TrainingPanel';
import { useAppStore } from '../../store';
import { getEngineBridge } from '../../store/engine-bridge';
import { createTrainingController } from './training-controller';
import { TrainingControls } from './TrainingControls';
import './training-controls.css';

/**
 * The training area mounted in the workspace: the controls, the charts panel, and the
 * glue that turns panel choices (timeline step, temperature) into engine requests.
 */
export function TrainingArea() {
  const [controller] = useState(() => createTrainingController());

  useEffect(() => {
    let genTimer: ReturnType<typeof setTimeout> | null = null;
    let showing: Promise<void> = Promise.resolve();
    const unsubscribe = useAppStore.subscribe((s, prev) => {
      if (s.timelineStep !== prev.timelineStep && s.trainingStatus !== 'training') {
        // Latest wins: requests queue behind the one in flight.
        const step = s.timelineStep;
        showing = showing.then(() =>
          useAppStore.getState().timelineStep === step ? controller.show(step) : undefined,
        );
      }
      const charLm = s.trainInfo?.task.kind === 'char-lm';
      const regenerate =
        charLm &&
        s.trainingStatus !== 'training' &&
        (s.temperature !== prev.temperature ||
          s.timelineStep !== prev.timelineStep ||
          s.trainInfo !== prev.trainInfo ||
          (s.trainingStatus !== prev.trainingStatus && prev.trainingStatus === 'training'));
      if (regenerate) {
        if (genTimer) clearTimeout(genTimer);
        genTimer = setTimeout(() => void controller.generate(), 150);
      }
    });
    // `?preset=recall-lstm` (task-cell) opens on a pretrained preset's trace: a course page
    // can link straight to gates that already mean something.
    const wanted = new URLSearchParams(globalThis.location?.search ?? '').get('preset');
    const match = wanted ? /^([a-z-]+)-(lstm|gru|rnn-tanh)$/.exec(wanted) : null;
    let cancelled = false;
    if (match) {
      // After the bridge's first run, so its default trace does not replace the preset's.
      setTimeout(() => {
        void (getEngineBridge()?.settled() ?? Promise.resolve()).then(() => {
          if (cancelled) return;
          const s = useAppStore.getState();
          s.setTrainTask(match[1]);
          s.setPresetCell(match[2] as 'lstm' | 'gru' | 'rnn-tanh');
          void controller.loadPreset();
        });
      }, 0);
    }
    return () => {
      cancelled = true;
      unsubscribe();
      if (genTimer) clearTimeout(genTimer);
      controller.stop();
    };
  }, [controller]);

  return (
    <div className="tr-area">
      <TrainingControls controller={controller} />
      <TrainingPanel />
    </div>
  );
}
