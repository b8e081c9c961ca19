import { Code, ConnectError } from "@connectrpc/connect";
import { Elysia } from "elysia";
import { webErrorOf } from "../api-errors.ts";
import { browserAddressOf } from "../browser-address.ts";
import { LOGIN_COOKIE, readCookies, SESSION_COOKIE, setCookie } from "../cookies.ts";
import { CSRF_FIELD, isSameOrigin, tokensMatch } from "../csrf.ts";
import { html } from "../html.ts";
import { layout, notice } from "../layout.ts";
import { htmlResponse, redirectTo } from "../responses.ts";
import { randomToken } from "../session-store.ts";
import { checkedForm, formOf, sessionOf, visitOf, type WebDependencies } from "../visit.ts";

/** The login form's CSRF cookie lives as long as someone may take to type a password. */
const LOGIN_COOKIE_SECONDS = 60 * 60;

/** Logging in with a username and password, and logging out (which revokes the API session). */
export function loginRoutes(deps: WebDependencies) {
  const loginCookie = (value: string, maxAgeSeconds: number) =>
    setCookie(LOGIN_COOKIE, value, { maxAgeSeconds, secure: deps.tls });

  const loginPage = (request: Request, status: number, message: string | null, username = "") => {
    // Double submit: the form's field must match this cookie, which no other site can read.
    const token = readCookies(request).get(LOGIN_COOKIE) || randomToken();
    const content = html`${notice("error", message)}
<form class="panel" method="post" action="/login">
  <input type="hidden" name="${CSRF_FIELD}" value="${token}">
  <label>Username <input name="username" autocomplete="username" required value="${username}"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Log in</button>
</form>`;
    return htmlResponse(layout("Log in", null, content), status, [
      loginCookie(token, LOGIN_COOKIE_SECONDS),
    ]);
  };

  return new Elysia()
    .get("/login", ({ request }) => {
      if (sessionOf(deps, request)) return redirectTo("/");
      return loginPage(request, 200, null);
    })
    .post("/login", async ({ request, body }) => {
      const form = formOf(body);
      const expected = readCookies(request).get(LOGIN_COOKIE) ?? "";
      if (!isSameOrigin(request) || !tokensMatch(form[CSRF_FIELD], expected)) {
        return loginPage(request, 403, "The login form expired. Please try again.");
      }

      const username = form.username ?? "";
      const browser = browserAddressOf(request);
      try {
        const answer = await deps.api
          .as(null)
          .auth.login(
            { username, password: form.password ?? "" },
            { headers: browser ? { "x-forwarded-for": browser } : {} },
          );
        const expiresAt = answer.expiresAt
          ? Number(answer.expiresAt.seconds) * 1000
          : Date.now() + 60 * 60 * 1000;
        const session = deps.sessions.create({
          apiToken: answer.token,
          username: answer.username,
          roles: answer.roles,
          expiresAt,
        });
        const sessionCookie = setCookie(SESSION_COOKIE, session.id, {
          maxAgeSeconds: (expiresAt - Date.now()) / 1000,
          secure: deps.tls,
        });
        return redirectTo("/", { cookies: [sessionCookie, loginCookie("", 0)] });
      } catch (error) {
        const refusal = ConnectError.from(error);
        if (refusal.code === Code.Unauthenticated || refusal.code === Code.InvalidArgument) {
          return loginPage(request, 401, "Invalid username or password.", username);
        }
        if (refusal.code === Code.ResourceExhausted) {
          const wait = refusal.metadata.get("retry-after") ?? "a few";
          const message = `Too many failed logins. Logging in is paused; try again in ${wait} seconds.`;
          return loginPage(request, 429, message, username);
        }
        const page = webErrorOf(error);
        return loginPage(request, page.status, `${page.title}. ${page.message}`, username);
      }
    })
    .post("/logout", async ({ request, body }) => {
      const visit = visitOf(deps, request);
      checkedForm(visit, request, body);
      // Revoke the API session first: a cookie deleted while the token lives would be a lie.
      await visit.api.auth.logout({}).catch((error: unknown) => {
        if (ConnectError.from(error).code !== Code.Unauthenticated) throw error;
      });
      deps.sessions.delete(visit.session.id);
      const cleared = setCookie(SESSION_COOKIE, "", { maxAgeSeconds: 0, secure: deps.tls });
      return redirectTo("/login", { cookies: [cleared], htmx: visit.htmx });
    });
}
