import { memo, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  HYPERPARAM_SPECS,
  hyperparamIssues,
  type HyperparamKey,
  type HyperparamSpec,
  type Hyperparams,
} from '../../engine';
import { useAppStore } from '../../store';
import { selectIssueOf } from '../../store/training-selectors';

type TFn = ReturnType<typeof useTranslation>['t'];

/** The valid range of a hyperparameter in the reader's language. */
export function rangeText(key: HyperparamKey, t: TFn): string {
  const s: HyperparamSpec = HYPERPARAM_SPECS[key];
  switch (s.type) {
    case 'int':
      return t('training.range.int', { min: s.min, max: s.max });
    case 'number':
      return s.minOpen
        ? t('training.range.open', { min: s.min, max: s.max })
        : t('training.range.number', { min: s.min, max: s.max });
    case 'number-or-null':
      return t('training.range.nullable', { min: s.min, max: s.max });
    case 'enum':
      return t('training.range.enum', { values: s.values.join(', ') });
    case 'bool':
      return '';
  }
}

interface Props {
  k: HyperparamKey;
  value: Hyperparams[HyperparamKey];
}

/**
 * One hyperparameter: number fields keep what is typed and commit only values the
 * engine's own validation accepts; an out-of-range value shows the valid range next to it.
 */
export const HyperField = memo(function HyperField({ k, value }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const spec: HyperparamSpec = HYPERPARAM_SPECS[k];
  const workerIssue = useAppStore(selectIssueOf(k));
  const [text, setText] = useState(value === null ? '' : String(value));
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setText(value === null ? '' : String(value));
  }
  const label = t(`training.hyper.${k}`);
  const set = (v: unknown) => useAppStore.getState().setHyperparam(k, v as never);

  if (spec.type === 'bool') {
    return (
      <div className="field field-check">
        <input
          id={id}
          type="checkbox"
          checked={value === true}
          onChange={(e) => set(e.target.checked)}
        />
        <label htmlFor={id}>{label}</label>
        {workerIssue ? (
          <span className="field-hint field-hint-error" role="alert">
            {workerIssue.message}
          </span>
        ) : null}
      </div>
    );
  }
  if (spec.type === 'enum') {
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <select id={id} value={String(value)} onChange={(e) => set(e.target.value)}>
          {spec.values.map((v) => (
            <option key={v} value={v}>
              {t(`training.enum.${v}`)}
            </option>
          ))}
        </select>
        {workerIssue ? (
          <span className="field-hint field-hint-error" role="alert">
            {workerIssue.message}
          </span>
        ) : null}
      </div>
    );
  }

  const parse = (s: string): unknown =>
    s.trim() === '' ? (spec.type === 'number-or-null' ? null : Number.NaN) : Number(s);
  const parsed = parse(text);
  const localOk = hyperparamIssues({ [k]: parsed }).length === 0;
  const bad = !localOk || workerIssue !== null;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        value={text}
        aria-invalid={bad}
        aria-describedby={`${id}-r`}
        onChange={(e) => {
          setText(e.target.value);
          const v = parse(e.target.value);
          if (hyperparamIssues({ [k]: v }).length === 0) set(v);
        }}
      />
      <span
        id={`${id}-r`}
        className={bad ? 'field-hint field-hint-error' : 'field-hint'}
        role={bad ? 'alert' : undefined}
      >
        {bad ? t('training.outOfRange', { range: rangeText(k, t) }) : rangeText(k, t)}
      </span>
    </div>
  );
});
