import type { PersonPrincipal } from "@/lib/core/principal";

/** The signed-in person making a console request: the console's principal. */
export type Caller = PersonPrincipal;

export { auditActorOf, auditSourceOf } from "@/lib/core/principal";
