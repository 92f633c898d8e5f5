// Moved to lib/authz/project-access.ts; kept until lib/projects/ imports it from there (issue 16).
export * from "@/lib/authz/project-access";
