import { z } from "zod";
import { zText } from "@/lib/validation/text";
import { ZEmail } from "@/lib/validation/slug";
import { VISIBILITIES } from "./visibility";

export const ZVisibility = z.enum(VISIBILITIES, { message: "Choose Open, Public, Team or Restricted." });

import { ZProjectName } from "@/lib/validation/project-name";

export { ZProjectName };

const ZId = zText().min(1).max(64);

export const ZCreateProjectInput = z.object({
  name: ZProjectName,
  visibility: ZVisibility.default("TEAM"),
  description: zText().trim().max(500, "Use at most 500 characters.").default(""),
});
// A project is named by id in the console (its rows hold ids) and by name in the API (its paths do).
const ZProjectRef = z.union([z.object({ projectId: ZId }), z.object({ project: ZProjectName })]);
export const ZChangeVisibilityInput = z.intersection(ZProjectRef, z.object({ visibility: ZVisibility }));
/** The API's PATCH: visibility and/or description. */
export const ZUpdateProjectInput = z.intersection(
  ZProjectRef,
  z.object({
    visibility: ZVisibility.optional(),
    description: zText().trim().max(500, "Use at most 500 characters.").optional(),
  }),
);
export const ZDeleteProjectInput = ZProjectRef;
const ZGrantee = z.union([
  z.object({ email: ZEmail }),
  z.object({ serviceAccount: zText().trim().min(1, "Choose a service account.").max(64) }),
]);
/** Grant a person (by email) or a service account (by name) access to a restricted project. */
export const ZGrantProjectAccessInput = z.intersection(ZProjectRef, ZGrantee);
/** Remove a grant: by its id (the console's rows) or by whom it names (the API's paths). */
export const ZRevokeProjectAccessInput = z.intersection(
  ZProjectRef,
  z.union([z.object({ accessId: ZId }), ZGrantee]),
);

/** How many grant candidates one search returns: enough to pick from, never the whole org. */
export const GRANT_CANDIDATE_LIMIT = 20;
export const GRANT_CANDIDATE_KINDS = ["person", "service_account"] as const;
/** Search the people or service accounts that could be granted access to a restricted project. */
export const ZSearchGrantCandidatesInput = z.object({
  projectId: ZId,
  kind: z.enum(GRANT_CANDIDATE_KINDS),
  query: zText().trim().toLowerCase().max(254, "Use at most 254 characters.").default(""),
});
