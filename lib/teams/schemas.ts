import { z } from "zod";
import { zText } from "@/lib/validation/text";
import { ZDisplayName, ZEmail, ZSlug } from "@/lib/validation/slug";

export const ZTeamRole = z.enum(["ADMIN", "MEMBER", "VIEWER"], {
  message: "Choose Admin, Member or Viewer.",
});
const ZId = zText().min(1).max(64);

export const ZCreateTeamInput = z.object({ slug: ZSlug, name: ZDisplayName });
export type TCreateTeamInput = z.input<typeof ZCreateTeamInput>;
export const ZRenameTeamInput = z.object({ teamId: ZId, name: ZDisplayName });
export const ZDeleteTeamInput = z.object({ teamId: ZId });

export const ZAddTeamMemberInput = z.object({ email: ZEmail, role: ZTeamRole.default("MEMBER") });
export type TAddTeamMemberInput = z.input<typeof ZAddTeamMemberInput>;
export const ZChangeTeamRoleInput = z.object({ userId: ZId, role: ZTeamRole });
export const ZRemoveTeamMemberInput = z.object({ userId: ZId });
