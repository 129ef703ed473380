// Placeholder: filled in by the org screens.
export const messages = { zh: {}, en: {} };
export const routes = {};
export function nav() {
  return [];
}
