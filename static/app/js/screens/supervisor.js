// Stub: filled in by helper B.
export const messages = { zh: {}, en: {} };
export const routes = {};
export function menu() {
  return [];
}
