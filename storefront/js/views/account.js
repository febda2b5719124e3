/** Sign in, create an account and confirm its email: Cognito's user pool, called from the page. */

import { PASSWORD_RULES, passwordProblem } from "../accounts.js";
import { describeError } from "../cognito.js";
import { h } from "../dom.js";
import { emptyState, pageHeading } from "../ui.js";

function field({ id, label, type = "text", autocomplete, testid, hint = null, ...extra }) {
  return h(
    "p",
    { class: "field" },
    h("label", { for: id, text: label }),
    h("input", { id, name: id, type, autocomplete, required: true, dataset: { testid }, ...extra }),
    hint ? h("span", { class: "field-hint", id: `${id}-hint`, text: hint }) : null,
  );
}

function statusLine(testid) {
  return h("p", { class: "form-status", role: "status", "aria-live": "polite", dataset: { testid } });
}

function showError(status, message) {
  status.textContent = message;
  status.classList.add("form-error");
}

function showInfo(status, message) {
  status.textContent = message;
  status.classList.remove("form-error");
}

/** Disable the form's controls while `work` runs; the status says what went wrong. */
async function busy(form, work) {
  const controls = [...form.querySelectorAll("input, button")];
  for (const control of controls) control.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    for (const control of controls) control.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

function notConfigured(view) {
  view.append(
    pageHeading("Accounts are not available"),
    emptyState("This shop has no sign-in configured (config.json has no cognito). You can still shop as a visitor."),
  );
}

/** Where to go once signed in: the `next` route of the link, else the profile page. */
function nextRoute(route) {
  const next = route.query.get("next");
  return next?.startsWith("#/") ? next : "#/profile";
}

export function renderSignIn(shop, route, view) {
  if (!shop.identity.accountsEnabled) return notConfigured(view);
  if (shop.identity.signedIn) {
    view.append(
      pageHeading("You are signed in"),
      h("p", { class: "page-intro" }, `Signed in as ${shop.identity.email}. `, h("a", { href: "#/profile", text: "Go to your profile" })),
    );
    return;
  }
  const email = field({ id: "signin-email", label: "Email", type: "email", autocomplete: "username", testid: "signin-email" });
  const password = field({
    id: "signin-password",
    label: "Password",
    type: "password",
    autocomplete: "current-password",
    testid: "signin-password",
  });
  const status = statusLine("signin-status");
  const form = h(
    "form",
    {
      class: "account-form",
      dataset: { testid: "signin-form" },
      onSubmit: async (event) => {
        event.preventDefault();
        const data = new FormData(form);
        showInfo(status, "Signing in…");
        try {
          await busy(form, () => shop.identity.signIn(String(data.get("signin-email")).trim(), String(data.get("signin-password"))));
          shop.navigate(nextRoute(route));
        } catch (error) {
          if (error.type === "UserNotConfirmedException") {
            shop.navigate(`#/signup?confirm=${encodeURIComponent(String(data.get("signin-email")).trim())}`);
            return;
          }
          showError(status, describeError(error));
        }
      },
    },
    email,
    password,
    h("button", { type: "submit", class: "button", dataset: { testid: "signin-submit" }, text: "Sign in" }),
    status,
  );
  view.append(
    pageHeading("Sign in"),
    h("p", { class: "page-intro" }, "Sign in to your account, then emulate a shopper on your profile. No account yet? ", h("a", { href: "#/signup", dataset: { testid: "signup-link" }, text: "Create one" }), "."),
    form,
  );
}

export function renderSignUp(shop, route, view) {
  if (!shop.identity.accountsEnabled) return notConfigured(view);
  const pendingEmail = route.query.get("confirm");
  view.append(pageHeading(pendingEmail ? "Confirm your email" : "Create an account"));
  if (pendingEmail) {
    view.append(confirmForm(shop, route, pendingEmail, null));
    return;
  }
  const email = field({ id: "signup-email", label: "Email", type: "email", autocomplete: "username", testid: "signup-email" });
  const password = field({
    id: "signup-password",
    label: "Password",
    type: "password",
    autocomplete: "new-password",
    testid: "signup-password",
    hint: PASSWORD_RULES,
    "aria-describedby": "signup-password-hint",
  });
  const status = statusLine("signup-status");
  const holder = h("div", {});
  const form = h(
    "form",
    {
      class: "account-form",
      dataset: { testid: "signup-form" },
      onSubmit: async (event) => {
        event.preventDefault();
        const data = new FormData(form);
        const address = String(data.get("signup-email")).trim();
        const secret = String(data.get("signup-password"));
        const problem = passwordProblem(secret);
        if (problem) {
          showError(status, `${problem} ${PASSWORD_RULES}`);
          return;
        }
        showInfo(status, "Creating your account…");
        try {
          const created = await busy(form, () => shop.identity.signUp(address, secret));
          if (created.confirmed) {
            showInfo(status, "Account created. Signing in…");
            await busy(form, () => shop.identity.signIn(address, secret));
            shop.navigate(nextRoute(route));
            return;
          }
          holder.replaceChildren(confirmForm(shop, route, address, secret, created.destination));
        } catch (error) {
          showError(status, describeError(error));
        }
      },
    },
    email,
    password,
    h("button", { type: "submit", class: "button", dataset: { testid: "signup-submit" }, text: "Create account" }),
    status,
  );
  holder.append(form);
  view.append(
    h("p", { class: "page-intro" }, "An account keeps your recommendations to you. Already have one? ", h("a", { href: "#/signin", text: "Sign in" }), "."),
    holder,
  );
}

/** The code Cognito emailed; after it, sign in with the password typed a moment ago (kept on this page only). */
function confirmForm(shop, route, email, password, destination = null) {
  const status = statusLine("confirm-status");
  const code = field({
    id: "confirm-code",
    label: "Confirmation code",
    autocomplete: "one-time-code",
    testid: "confirm-code",
    inputmode: "numeric",
    hint: destination ? `We sent a code to ${destination}.` : `We sent a code to ${email}.`,
  });
  const form = h(
    "form",
    {
      class: "account-form",
      dataset: { testid: "confirm-form" },
      onSubmit: async (event) => {
        event.preventDefault();
        const value = String(new FormData(form).get("confirm-code")).trim();
        showInfo(status, "Confirming…");
        try {
          await busy(form, () => shop.identity.confirmSignUp(email, value));
          if (password) {
            await busy(form, () => shop.identity.signIn(email, password));
            shop.navigate(nextRoute(route));
          } else {
            shop.navigate("#/signin");
          }
        } catch (error) {
          showError(status, describeError(error));
        }
      },
    },
    code,
    h("button", { type: "submit", class: "button", dataset: { testid: "confirm-submit" }, text: "Confirm" }),
    h("button", {
      type: "button",
      class: "button button-secondary",
      text: "Send a new code",
      onClick: async () => {
        try {
          await shop.identity.resendCode(email);
          showInfo(status, "A new code is on its way.");
        } catch (error) {
          showError(status, describeError(error));
        }
      },
    }),
    status,
  );
  return form;
}
