import { useTranslation } from 'react-i18next';

/** The grid of visualisation panels (equations, heatmaps, cell diagram, ...). */
export function PanelGrid() {
  const { t } = useTranslation();
  return <p className="empty-state">{t('app.emptyState')}</p>;
}
