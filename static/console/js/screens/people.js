// Placeholder: filled in by the people screens.
export const messages = { zh: {}, en: {} };
export const routes = {};
export function nav() {
  return [];
}
