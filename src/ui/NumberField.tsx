import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  label: string;
  value: number;
  min: number;
  max: number;
  disabled?: boolean;
  onCommit: (n: number) => void;
}

/**
 * An integer field that keeps what is typed (even half-typed or out of range)
 * and commits only valid values, so nothing the user typed is lost.
 */
export function NumberField({ label, value, min, max, disabled, onCommit }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState(String(value));
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    // The store changed it (link, preset): show the new value (React's "adjust state on prop change").
    setShown(value);
    setText(String(value));
  }
  const n = Number(text);
  const valid = /^\d+$/.test(text.trim()) && n >= min && n <= max;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        value={text}
        disabled={disabled}
        aria-invalid={!valid}
        aria-describedby={`${id}-r`}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (/^\d+$/.test(e.target.value.trim()) && v >= min && v <= max) onCommit(v);
        }}
        onBlur={() => {
          if (!valid) setText(String(value));
        }}
      />
      <span id={`${id}-r`} className={valid ? 'field-hint' : 'field-hint field-hint-error'}>
        {t('model.range', { min, max })}
      </span>
    </div>
  );
}
