import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ComparisonSection } from '../panels/Comparison/ComparisonSection';
import { PanelGrid } from '../panels/PanelGrid';
import { startEngineBridge } from '../store/engine-bridge';
import { startUrlSync } from '../store/url-sync';
import { InputPanel } from './InputPanel';
import { Inspector } from './Inspector';
import { ModelControls } from './ModelControls';
import { Notices } from './Notices';
import { Player } from './Player';
import { TrainingArea } from './training/TrainingArea';
import './workspace.css';

/** The main area: input and model controls, the player, the panels, then the exact values. */
export function Workspace() {
  const { t } = useTranslation();

  useEffect(() => {
    // The link's settings first, then the engine (its first sync is deferred).
    const stopUrl = startUrlSync();
    const bridge = startEngineBridge();
    return () => {
      bridge.stop();
      stopUrl();
    };
  }, []);

  return (
    <main
      id="main"
      className="workspace workspace-player"
      aria-label={t('app.mainRegion')}
      tabIndex={-1}
    >
      <div className="ws-controls">
        <InputPanel />
        <ModelControls />
      </div>
      <div className="ws-main">
        <Notices />
        <Player />
        <PanelGrid />
        <ComparisonSection />
        <Inspector />
        <TrainingArea />
      </div>
    </main>
  );
}
