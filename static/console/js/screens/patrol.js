// Placeholder: filled in by the patrol screens.
export const messages = { zh: {}, en: {} };
export const routes = {};
export function nav() {
  return [];
}
