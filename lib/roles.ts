/** Team and service-account roles in the console's words (browser-safe). */
export const ROLE_OPTIONS = [
  { value: "ADMIN", label: "Admin" },
  { value: "MEMBER", label: "Member" },
  { value: "VIEWER", label: "Viewer" },
];
export const ROLE_LABEL = { ADMIN: "Admin", MEMBER: "Member", VIEWER: "Viewer" } as const;
