/** Project visibilities and what each means, in the words the console shows (browser-safe). */
export const VISIBILITIES = ["OPEN", "PUBLIC", "TEAM", "RESTRICTED"] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const VISIBILITY_HELP: Record<Visibility, string> = {
  OPEN: "Everyone in the organization can read and write",
  PUBLIC: "Everyone in the organization can read; the team writes",
  TEAM: "Only the team can read and write",
  RESTRICTED: "Only people and service accounts granted access",
};
