/** Okabe-Ito colours of the three columns (distinct under colour-vision deficiencies). */
export const CELL_COLORS = ['#D55E00', '#0072B2', '#009E73'] as const;
