import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { selectCompareOpen } from '../../store/compare-selectors';
import { ComparisonView } from './ComparisonView';

/** The "Compare cells" switch and, when on, the comparison view (mounted in the workspace). */
export function ComparisonSection() {
  const { t } = useTranslation();
  const open = useAppStore(selectCompareOpen);
  const setOpen = useAppStore((s) => s.setCompareOpen);
  return (
    <div className="cmp-section">
      <button
        type="button"
        className="cmp-toggle"
        aria-expanded={open}
        aria-controls="cmp-view"
        onClick={() => setOpen(!open)}
      >
        {t('compare.toggle')}
      </button>
      <div id="cmp-view">{open && <ComparisonView />}</div>
    </div>
  );
}
