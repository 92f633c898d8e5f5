/** What each project visibility means, in the words the console shows (browser-safe). */
import { VISIBILITIES, type Visibility } from "@/lib/authz/visibility";

// The console's components take the list from here, beside the words that explain it.
export { VISIBILITIES };

export const VISIBILITY_HELP: Record<Visibility, string> = {
  OPEN: "Everyone in the organization can read and write",
  PUBLIC: "Everyone in the organization can read; the team writes",
  TEAM: "Only the team can read and write",
  RESTRICTED: "Only people and service accounts granted access",
};
