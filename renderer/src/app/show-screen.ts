/**
 * A link from one screen to another ("see Transfers"): screens do not hold the shell's state,
 * so they ask for a screen with a window event the shell listens to.
 */
import type { ScreenId } from './screens.js';

/** The event's name; its detail is `{ screen: ScreenId }`. */
export const SHOW_SCREEN_EVENT = 'priors:show-screen';

/** Asks the shell to show a screen. */
export function showScreen(screen: ScreenId): void {
  window.dispatchEvent(new CustomEvent(SHOW_SCREEN_EVENT, { detail: { screen } }));
}
