// Placeholder: filled in by the alerts screens.
export const messages = { zh: {}, en: {} };
export const routes = {};
export function nav() {
  return [];
}
