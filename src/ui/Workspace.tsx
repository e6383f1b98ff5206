import { useTranslation } from 'react-i18next';
import { PanelGrid } from '../panels/PanelGrid';

/** The main area: model and input controls, the player, then the panels. */
export function Workspace() {
  const { t } = useTranslation();
  return (
    <main id="main" className="workspace" aria-label={t('app.mainRegion')} tabIndex={-1}>
      <PanelGrid />
    </main>
  );
}
