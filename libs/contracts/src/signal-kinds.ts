/**
 * The frustration signals Loupe finds in recordings, in the order the console lists them. Plain
 * constants with no runtime dependency, so the console can use them without a validation library.
 */
export const SIGNAL_KINDS = ['rage_click', 'dead_click', 'error_click', 'u_turn', 'excessive_scroll', 'thrashed_cursor'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

export const SIGNAL_LABELS: Record<SignalKind, string> = {
  rage_click: 'Rage click',
  dead_click: 'Dead click',
  error_click: 'Error click',
  u_turn: 'U-turn',
  excessive_scroll: 'Excessive scrolling',
  thrashed_cursor: 'Thrashed cursor',
};
