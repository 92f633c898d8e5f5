/** Project visibilities (SPEC §2): who may read and write a project besides its team. Browser-safe. */
export const VISIBILITIES = ["OPEN", "PUBLIC", "TEAM", "RESTRICTED"] as const;
export type Visibility = (typeof VISIBILITIES)[number];
