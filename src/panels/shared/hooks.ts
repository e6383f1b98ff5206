import { useEffect, useState } from 'react';

/**
 * Size of an element, kept up to date with a ResizeObserver (0 x 0 where there
 * is none). Takes the element itself (from a callback ref kept in state) so a
 * element mounted later is measured too.
 */
export function useElementSize(el: HTMLElement | null) {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    if (!el) return;
    const read = () => {
      const r = el.getBoundingClientRect();
      setSize((s) =>
        s.width === r.width && s.height === r.height ? s : { width: r.width, height: r.height },
      );
    };
    if (typeof ResizeObserver === 'undefined') {
      read();
      return;
    }
    // No synchronous first read: right after a commit it would force a layout of the whole page
    // (40-100 ms seen on a cell change). The observer reports every new element once, after the
    // frame's own layout, where reading the box costs nothing.
    const ro = new ResizeObserver(read);
    ro.observe(el);
    return () => ro.disconnect();
  }, [el]);
  return size;
}

/** True when the user asked the system for reduced motion. */
export function prefersReducedMotion(): boolean {
  return globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}
