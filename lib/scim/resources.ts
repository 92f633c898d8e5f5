// The SCIM resources Deputy serves (RFC 7643): Users are an org's people, Groups its teams; and
// the discovery documents a client reads first (ServiceProviderConfig, ResourceTypes, Schemas).
import { scimBaseUrl } from "./tokens";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/** Page size when the client names none, and the most one page holds. */
export const MAX_PAGE = 100;

export type ScimPerson = {
  id: string;
  email: string;
  name: string;
  externalId: string | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  groups: { id: string; name: string }[];
};

export type ScimTeam = {
  id: string;
  name: string;
  externalId: string | null;
  createdAt: Date;
  updatedAt: Date;
  members: { id: string; email: string }[] | null;
};

const meta = (resourceType: "User" | "Group", id: string, created: Date, lastModified: Date) => ({
  resourceType,
  created: created.toISOString(),
  lastModified: lastModified.toISOString(),
  location: `${scimBaseUrl()}/${resourceType}s/${id}`,
});

/** A person's name split for `name`; Deputy keeps one display name. */
function nameParts(name: string) {
  const at = name.lastIndexOf(" ");
  return at > 0
    ? { formatted: name, givenName: name.slice(0, at), familyName: name.slice(at + 1) }
    : { formatted: name };
}

export function userResource(person: ScimPerson) {
  return {
    schemas: [USER_SCHEMA],
    id: person.id,
    ...(person.externalId ? { externalId: person.externalId } : {}),
    userName: person.email,
    name: nameParts(person.name),
    displayName: person.name,
    emails: [{ value: person.email, type: "work", primary: true }],
    active: person.active,
    groups: person.groups.map((g) => ({
      value: g.id,
      display: g.name,
      $ref: `${scimBaseUrl()}/Groups/${g.id}`,
    })),
    meta: meta("User", person.id, person.createdAt, person.updatedAt),
  };
}

export function groupResource(team: ScimTeam) {
  return {
    schemas: [GROUP_SCHEMA],
    id: team.id,
    ...(team.externalId ? { externalId: team.externalId } : {}),
    displayName: team.name,
    ...(team.members
      ? {
          members: team.members.map((m) => ({
            value: m.id,
            display: m.email,
            $ref: `${scimBaseUrl()}/Users/${m.id}`,
          })),
        }
      : {}),
    meta: meta("Group", team.id, team.createdAt, team.updatedAt),
  };
}

export function listResponse(resources: unknown[], totalResults: number, startIndex: number) {
  return {
    schemas: [LIST_SCHEMA],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

export function serviceProviderConfig() {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    documentationUri: "https://github.com/deputy/deputy#scim-provisioning",
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description:
          "The org's SCIM token from Settings → SCIM provisioning, as Authorization: Bearer <token>.",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${scimBaseUrl()}/ServiceProviderConfig` },
  };
}

const attribute = (
  name: string,
  type: string,
  extra: Partial<Record<"required" | "multiValued" | "caseExact", boolean>> & {
    mutability?: string;
    uniqueness?: string;
    subAttributes?: unknown[];
  } = {},
) => ({
  name,
  type,
  multiValued: extra.multiValued ?? false,
  required: extra.required ?? false,
  caseExact: extra.caseExact ?? false,
  mutability: extra.mutability ?? "readWrite",
  returned: "default",
  uniqueness: extra.uniqueness ?? "none",
  ...(extra.subAttributes ? { subAttributes: extra.subAttributes } : {}),
});

const SCHEMAS = [
  {
    id: USER_SCHEMA,
    name: "User",
    description: "A person of the organization. userName is their email.",
    attributes: [
      attribute("userName", "string", { required: true, uniqueness: "server" }),
      attribute("name", "complex", {
        subAttributes: [
          attribute("formatted", "string"),
          attribute("givenName", "string"),
          attribute("familyName", "string"),
        ],
      }),
      attribute("displayName", "string"),
      attribute("emails", "complex", {
        multiValued: true,
        subAttributes: [
          attribute("value", "string"),
          attribute("type", "string"),
          attribute("primary", "boolean"),
        ],
      }),
      attribute("active", "boolean"),
      attribute("groups", "complex", {
        multiValued: true,
        mutability: "readOnly",
        subAttributes: [attribute("value", "string"), attribute("display", "string")],
      }),
    ],
  },
  {
    id: GROUP_SCHEMA,
    name: "Group",
    description: "A team of the organization; its members are the team's members.",
    attributes: [
      attribute("displayName", "string", { required: true }),
      attribute("members", "complex", {
        multiValued: true,
        subAttributes: [attribute("value", "string"), attribute("display", "string")],
      }),
    ],
  },
];

export function schemas() {
  return SCHEMAS.map((s) => ({
    ...s,
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
    meta: { resourceType: "Schema", location: `${scimBaseUrl()}/Schemas/${s.id}` },
  }));
}

export function resourceTypes() {
  return [
    { id: "User", name: "User", endpoint: "/Users", schema: USER_SCHEMA },
    { id: "Group", name: "Group", endpoint: "/Groups", schema: GROUP_SCHEMA },
  ].map((r) => ({
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
    ...r,
    description: r.id === "User" ? "People of the organization" : "Teams of the organization",
    meta: { resourceType: "ResourceType", location: `${scimBaseUrl()}/ResourceTypes/${r.id}` },
  }));
}
