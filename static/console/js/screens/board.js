// Placeholder: filled in by the board screens.
export const messages = { zh: {}, en: {} };
export const routes = {};
export function nav() {
  return [];
}
