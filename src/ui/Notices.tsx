import { useTranslation } from 'react-i18next';
import { useAppStore } from '../store';
import { selectEngineError, selectUrlIssues, selectWorkerRestarts } from '../store/selectors';

const ENGINE_CODES = new Set([
  'worker-crashed',
  'bad-spec',
  'too-long',
  'input-size-mismatch',
  'engine-failed',
  'protocol-mismatch',
]);

/** Problems with the session itself: bad link values, engine errors, a restarted worker. */
export function Notices() {
  const { t } = useTranslation();
  const urlIssues = useAppStore(selectUrlIssues);
  const engineError = useAppStore(selectEngineError);
  const restarts = useAppStore(selectWorkerRestarts);
  const setUrlIssues = useAppStore((s) => s.setUrlIssues);
  const dismissRestart = useAppStore((s) => s.dismissRestartNotice);
  const restartShown = useAppStore((s) => s.restartNotice);

  return (
    <div className="notices" aria-live="polite">
      {urlIssues.length > 0 && (
        <div className="error-message" role="alert">
          <ul>
            {urlIssues.map((u) => (
              <li key={u.key}>{t('errors.url', { ...u })}</li>
            ))}
          </ul>
          <button type="button" onClick={() => setUrlIssues([])}>
            {t('errors.dismiss')}
          </button>
        </div>
      )}
      {engineError && (
        <p className="error-message" role="alert">
          {t(
            ENGINE_CODES.has(engineError.code)
              ? `errors.engine.${engineError.code}`
              : 'errors.engine.other',
            { message: engineError.message },
          )}
        </p>
      )}
      {!engineError && restartShown && restarts > 0 && (
        <div className="notice" role="status">
          <p>{t('errors.restarted')}</p>
          <button type="button" onClick={dismissRestart}>
            {t('errors.dismiss')}
          </button>
        </div>
      )}
    </div>
  );
}
