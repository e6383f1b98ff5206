import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { findScenario, SCENARIOS } from '../scenarios';
import { useAppStore } from '../store';
import { getEngineBridge } from '../store/engine-bridge';
import { displayToken, INPUT_MODES, type InputIssue, type InputMode } from '../store/input-parse';
import { selectInputMode, selectInputText, selectParsedInput } from '../store/selectors';
import { MAX_STEPS } from '../worker/protocol';

/** Translation parameters of an input issue (1-based numbers for people). */
function issueParams(issue: InputIssue): Record<string, string | number> {
  switch (issue.code) {
    case 'unknown-token':
      return { ...issue, token: displayToken(issue.token), number: issue.index + 1 };
    case 'not-in-vocabulary':
      return { ...issue, token: displayToken(issue.token) };
    case 'empty':
      return {};
    default:
      return { ...issue };
  }
}

const MAX_VOCAB_SHOWN = 200;

/** The sequence as typed, how to read it, presets, the vocabulary, and what is wrong with it. */
export function InputPanel() {
  const { t } = useTranslation();
  const text = useAppStore(selectInputText);
  const mode = useAppStore(selectInputMode);
  const parsed = useAppStore(selectParsedInput);
  const a = useAppStore.getState();
  const id = useId();

  return (
    <section className="panel input-panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('input.title')}</h2>
      <div className="field">
        <label htmlFor={`${id}-preset`}>{t('input.preset')}</label>
        <select
          id={`${id}-preset`}
          value=""
          onChange={(e) => {
            const sc = findScenario(e.target.value);
            if (!sc) return;
            getEngineBridge()?.forgetWeights();
            const { id: _id, ...settings } = sc;
            a.applySettings({ ...settings, t: 0 });
          }}
        >
          <option value="">{t('input.presetNone')}</option>
          {SCENARIOS.map((s) => (
            <option key={s.id} value={s.id}>
              {t(`scenarios.${s.id}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-mode`}>{t('input.readAs')}</label>
        <select
          id={`${id}-mode`}
          value={mode}
          onChange={(e) => a.setInputMode(e.target.value as InputMode)}
        >
          {INPUT_MODES.map((m) => (
            <option key={m} value={m}>
              {t(`input.modes.${m}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-text`}>{t('input.sequence')}</label>
        <textarea
          id={`${id}-text`}
          value={text}
          rows={5}
          spellCheck={false}
          // Numbers: one step per line, so a wrapped line would read as two steps.
          wrap={parsed.kind === 'numeric' ? 'off' : 'soft'}
          aria-describedby={`${id}-help ${id}-issues`}
          aria-invalid={parsed.issues.length > 0}
          onChange={(e) => a.setInputText(e.target.value)}
        />
        <span id={`${id}-help`} className="field-hint">
          {t(`input.help.${parsed.kind === 'numeric' ? 'numeric' : mode}`)}{' '}
          {t('input.limit', { limit: MAX_STEPS })}
        </span>
      </div>
      <div id={`${id}-issues`} aria-live="polite">
        {parsed.issues.length > 0 && (
          <ul className="error-message issues">
            {parsed.issues.map((issue, k) => (
              <li key={k}>{t(`input.issues.${issue.code}`, issueParams(issue))}</li>
            ))}
          </ul>
        )}
      </div>
      {parsed.T > 0 && (
        <p className="input-summary">
          {parsed.kind === 'numeric'
            ? t('input.summaryNumeric', { T: parsed.T, inputSize: parsed.inputSize })
            : t('input.summaryTokens', { T: parsed.T, inputSize: parsed.inputSize })}
        </p>
      )}
      {parsed.kind === 'tokens' && parsed.vocabulary.length > 0 && (
        <details className="vocabulary" open={parsed.vocabulary.length <= 40}>
          <summary>{t('input.vocabulary', { count: parsed.vocabulary.length })}</summary>
          <ol className="vocab-list">
            {parsed.vocabulary.slice(0, MAX_VOCAB_SHOWN).map((tok, i) => (
              <li key={i} className={parsed.inputSize <= i ? 'vocab-out' : undefined}>
                <span className="vocab-index">{i + 1}</span>
                <span className="vocab-token">{displayToken(tok)}</span>
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
}
