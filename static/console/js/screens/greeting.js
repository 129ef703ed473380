// Placeholder: filled in by the greeting screens.
export const messages = { zh: {}, en: {} };
export const routes = {};
export function nav() {
  return [];
}
