/** People sign in with passwords; system accounts (CI robots) with long-lived tokens. */
export type AccountType = "human" | "system";

/** Who made a request, once credentials were checked. */
export interface Identity {
  /** Stable id: a local account's uuid, or the identity service's subject. */
  id: string;
  username: string;
  accountType: AccountType;
  roles: string[];
}

/** The subject name policy rules use for requests without credentials. */
export const ANONYMOUS = "anonymous";

/** An identity, or null for an anonymous request. */
export type Principal = Identity | null;

/** The name a principal goes by in logs and the audit trail. */
export function principalName(principal: Principal): string {
  return principal?.username ?? ANONYMOUS;
}
