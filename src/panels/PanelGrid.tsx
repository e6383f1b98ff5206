import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../store';
import { selectPanelVisibility } from '../store/panel-selectors';
import { PANEL_IDS, type PanelId } from '../store/panels-slice';
import { CellDiagramPanel } from './CellDiagram/CellDiagramPanel';
import { EquationsPanel } from './Equations/EquationsPanel';
import { HeatmapPanel } from './Heatmap/HeatmapPanel';
import { SequencePanel } from './Sequence/SequencePanel';
import { UnitTracesPanel } from './UnitTraces/UnitTracesPanel';
import './panels.css';

const PANELS: Record<PanelId, () => React.JSX.Element> = {
  equations: EquationsPanel,
  heatmaps: HeatmapPanel,
  diagram: CellDiagramPanel,
  sequence: SequencePanel,
  traces: UnitTracesPanel,
};

/** Checkboxes that show or hide each panel (plain data in the store). */
const PanelToggles = memo(function PanelToggles() {
  const { t } = useTranslation();
  const visible = useAppStore(selectPanelVisibility);
  const setPanelVisible = useAppStore((s) => s.setPanelVisible);
  return (
    <fieldset className="panel-toggles">
      <legend>{t('panels.toggles')}</legend>
      {PANEL_IDS.map((id) => (
        <label key={id}>
          <input
            type="checkbox"
            checked={visible[id]}
            onChange={(e) => setPanelVisible(id, e.target.checked)}
          />
          {t(`panels.titles.${id}`)}
        </label>
      ))}
    </fieldset>
  );
});

/**
 * The grid of visualisation panels. Panels never import each other: step,
 * hover and selection travel through the store, so they move together.
 */
export function PanelGrid() {
  const visible = useAppStore(selectPanelVisibility);
  return (
    <div className="panel-grid">
      <PanelToggles />
      {PANEL_IDS.filter((id) => visible[id]).map((id) => {
        const Panel = PANELS[id];
        return <Panel key={id} />;
      })}
    </div>
  );
}
