/** Shared by the server schemas and the forms (safe to import in the browser). */
export const MIN_PASSWORD_LENGTH = 12;
