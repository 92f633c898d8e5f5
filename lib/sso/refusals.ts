// Why Sign in with SSO stopped, by code: the sign-in page shows the sentence for the code in its
// URL, so a crafted link cannot put words of its own on Deputy's page. Browser-safe.
export const SSO_REFUSALS = {
  email: "Enter your work email address, like name@example.com.",
  not_configured:
    "Single sign-on is not set up for that email domain. Sign in with your password, or ask an admin.",
  state: "This sign-in link is not valid in this browser, or it expired. Start again with Sign in with SSO.",
  provider: "Single sign-on did not complete: the identity provider's answer was not valid. Start again.",
  domain: "Your identity provider did not give an email address of this organization's domains.",
  unverified: "Your identity provider says this email address is not verified.",
  seats:
    "Your organization has no free seat in Deputy, so you cannot be added. Ask an admin to raise the seat limit or free a seat.",
  other_orgs:
    "You also belong to another organization in Deputy, so single sign-on cannot sign you in: use your password.",
  unavailable:
    "Single sign-on is not available right now (the identity provider could not be reached). Try again shortly.",
} as const;

export type SsoRefusalCode = keyof typeof SSO_REFUSALS;

export function ssoRefusalMessage(code: string | null | undefined): string | null {
  return code && Object.hasOwn(SSO_REFUSALS, code) ? SSO_REFUSALS[code as SsoRefusalCode] : null;
}
