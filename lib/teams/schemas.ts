import { z } from "zod";
import { zText } from "@/lib/validation/text";
import { ZDisplayName, ZEmail, ZSlug } from "@/lib/validation/slug";

export const ZTeamRole = z.enum(["ADMIN", "MEMBER", "VIEWER"], {
  message: "Choose Admin, Member or Viewer.",
});
const ZId = zText().min(1).max(64);

export const ZCreateTeamInput = z.object({ slug: ZSlug, name: ZDisplayName });
// A team is named by id in the console (its rows hold ids) and by slug in the API (its paths do).
const ZTeamRef = z.union([z.object({ teamId: ZId }), z.object({ team: ZSlug })]);
export const ZRenameTeamInput = z.intersection(ZTeamRef, z.object({ name: ZDisplayName }));
export const ZDeleteTeamInput = ZTeamRef;

export const ZAddTeamMemberInput = z.object({ email: ZEmail, role: ZTeamRole.default("MEMBER") });
/** The API's PUT: a role to set; without one, a new member joins as MEMBER and a member keeps theirs. */
export const ZSetTeamMemberInput = z.object({ email: ZEmail, role: ZTeamRole.optional() });
// A member is named by user id in the console and by email in the API.
const ZMemberRef = z.union([z.object({ userId: ZId }), z.object({ email: ZEmail })]);
export const ZChangeTeamRoleInput = z.intersection(ZMemberRef, z.object({ role: ZTeamRole }));
export const ZRemoveTeamMemberInput = ZMemberRef;
