// What every widget gets besides the view-model: its size, the theme, focus and scroll offset.

import type { Theme } from './text.js';

export type PanelCtx = {
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
  readonly focused: boolean;
  /** First line shown, for panels that scroll. */
  readonly scroll: number;
  /** The whole screen's width (panels beside others share its label widths). */
  readonly screenWidth?: number;
};
