/** Player icons as inline SVG (system fonts lack some media symbols; no icon font is fetched). */
type Name = 'first' | 'back' | 'play' | 'pause' | 'forward' | 'last';

const PATHS: Record<Name, string> = {
  first: 'M4 4h2v16H4zM20 4v16L8 12z',
  back: 'M18 4v16L6 12z',
  play: 'M7 4v16l13-8z',
  pause: 'M6 4h4v16H6zM14 4h4v16h-4z',
  forward: 'M6 4v16l12-8z',
  last: 'M18 4h2v16h-2zM4 4v16l12-8z',
};

export function PlayerIcon({ name }: { name: Name }) {
  return (
    <svg className="player-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="currentColor" />
    </svg>
  );
}
