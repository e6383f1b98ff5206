import { useId, type ReactNode } from 'react';
import type { PanelId } from '../../store/panels-slice';

/**
 * A panel: a named region (`<section aria-labelledby>`), so screen-reader users
 * can jump between panels by landmark.
 */
export function PanelSection({
  id,
  title,
  actions,
  children,
}: {
  id: PanelId;
  title: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const headingId = useId();
  return (
    <section className={`panel panel-${id}`} aria-labelledby={headingId} data-panel={id}>
      <div className="panel-head">
        <h2 id={headingId}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}
