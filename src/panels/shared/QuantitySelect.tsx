import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { Quantity } from '../../engine/types';

/** A labelled select of the quantities the current cell records. */
export function QuantitySelect({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: Quantity;
  options: readonly Quantity[];
  onChange: (q: Quantity) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <span className="panel-field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        onChange={(e) => {
          const q = options.find((o) => o === e.target.value);
          if (q) onChange(q);
        }}
      >
        {options.map((q) => (
          <option key={q} value={q}>
            {t('panels.quantityOption', { symbol: q, name: t(`panels.quantity.${q}`) })}
          </option>
        ))}
      </select>
    </span>
  );
}
