/**
 * Profile: the signed-in account, and (with profile emulation) the dataset shopper it emulates. "Save
 * Changes" writes the account's `custom:shopper_id` at Cognito and refreshes the token, so the API
 * personalizes for that shopper from the next call on.
 */

import { h, titleCase } from "../dom.js";
import { initials, pageHeading, personaLabel } from "../ui.js";

const NOBODY = "";

export function renderProfile(shop, _route, view) {
  view.append(pageHeading("Profile"));
  if (!shop.identity.accountsEnabled) {
    view.append(h("p", { class: "page-intro", dataset: { testid: "current-shopper" }, text: "This shop has no accounts configured: you are browsing anonymously." }));
    return;
  }
  if (!shop.identity.signedIn) {
    view.append(
      h(
        "div",
        { class: "current-shopper", dataset: { testid: "current-shopper" } },
        h("p", { text: "You are browsing anonymously. Sign in to the account you created to emulate a shopper." }),
        h(
          "p",
          { class: "hero-actions" },
          h("a", { class: "button", href: "#/signin?next=%23%2Fprofile", dataset: { testid: "profile-signin" }, text: "Sign in" }),
          h("a", { class: "button button-secondary", href: "#/signup?next=%23%2Fprofile", text: "Create an account" }),
        ),
      ),
    );
    return;
  }
  view.append(accountSummary(shop));
  if (shop.identity.profileEmulation) view.append(chooser(shop));
  else {
    view.append(
      h("p", {
        class: "page-intro",
        text: "The shop personalizes for your own account: everything you view shapes what it shows next.",
      }),
    );
  }
}

function accountSummary(shop) {
  const user = shop.currentUser();
  return h(
    "div",
    { class: "current-shopper", dataset: { testid: "current-shopper", userId: user?.id ?? "", email: shop.identity.email ?? "" } },
    h("p", {}, "Signed in as ", h("strong", { dataset: { testid: "account-email" }, text: shop.identity.email ?? "your account" }), "."),
    user
      ? h("p", {}, "Shopping as ", h("strong", { text: user.name }), ` (${personaLabel(user)}).`)
      : h("p", { text: "Shopping as yourself." }),
    h("button", {
      type: "button",
      class: "button button-secondary",
      dataset: { testid: "profile-signout" },
      text: "Sign out",
      onClick: () => shop.signOut(),
    }),
  );
}

function chooser(shop) {
  const current = shop.identity.emulatedShopperId ?? NOBODY;
  const personas = [...new Set(shop.data.users.map((user) => user.persona))].sort();
  const personaFilter = h(
    "select",
    { id: "persona-filter", dataset: { testid: "persona-filter" } },
    h("option", { value: "", text: "All personas" }),
    personas.map((persona) => h("option", { value: persona, text: titleCase(persona.replace("_", " & ")) })),
  );
  const userSelect = h("select", { id: "user-select", name: "user", dataset: { testid: "user-select" } });
  const preview = h("div", { class: "user-preview", dataset: { testid: "user-preview" }, "aria-live": "polite" });
  const status = h("p", { class: "form-status", role: "status", dataset: { testid: "profile-status" } });
  const save = h("button", { type: "submit", class: "button", dataset: { testid: "profile-save" }, text: "Save Changes" });
  const redraw = () => {
    const chosen = userSelect.value || current;
    userSelect.replaceChildren(...userOptions(shop, personaFilter.value, chosen));
    showPreview();
  };
  const showPreview = () => {
    const user = shop.data.user(userSelect.value);
    preview.replaceChildren(user ? userCard(user) : h("p", { text: "No shopper: the shop personalizes for your own account." }));
    save.disabled = userSelect.value === current;
  };
  personaFilter.addEventListener("change", redraw);
  userSelect.addEventListener("change", showPreview);
  redraw();
  const form = h(
    "form",
    {
      class: "shopper-chooser",
      dataset: { testid: "profile-form" },
      onSubmit: async (event) => {
        event.preventDefault();
        const shopperId = userSelect.value || null;
        save.disabled = true;
        form.setAttribute("aria-busy", "true");
        status.classList.remove("form-error");
        status.textContent = "Saving…";
        try {
          await shop.identity.emulate(shopperId);
          shop.navigate("#/");
        } catch (error) {
          status.classList.add("form-error");
          status.textContent = `Your profile was not saved: ${error.message}`;
          save.disabled = false;
        } finally {
          form.removeAttribute("aria-busy");
        }
      },
    },
    h("h2", { text: "Emulate a shopper" }),
    h("p", {
      class: "page-intro",
      text: "Every generated shopper has a persona: two departments their history comes from. Link one to your account and the shop personalizes for them.",
    }),
    h(
      "div",
      { class: "chooser-filters" },
      h("p", { class: "field" }, h("label", { for: "persona-filter", text: "Persona" }), personaFilter),
      h("p", { class: "field" }, h("label", { for: "user-select", text: "User" }), userSelect),
    ),
    preview,
    save,
    status,
  );
  return form;
}

function userOptions(shop, persona, chosen) {
  const matches = shop.data.users.filter((user) => !persona || user.persona === persona || String(user.id) === chosen);
  return [
    h("option", { value: NOBODY, text: "None: shop as myself", selected: chosen === NOBODY }),
    ...matches.map((user) =>
      h("option", {
        value: user.id,
        text: `${user.name} (#${user.id}, ${personaLabel(user)})`,
        selected: String(user.id) === chosen,
      }),
    ),
  ];
}

function userCard(user) {
  return h(
    "div",
    { class: "user-choice", dataset: { testid: "user-option", userId: user.id, persona: user.persona } },
    h("span", { class: "avatar", "aria-hidden": "true", text: initials(user.name) }),
    h(
      "span",
      { class: "user-choice-body" },
      h("strong", { text: user.name }),
      h("span", { class: "user-choice-facts", text: `#${user.id} · ${user.age} · ${user.gender === "F" ? "female" : "male"}` }),
      h("span", { class: "chips" }, user.categories.map((category) => h("span", { class: "chip", text: titleCase(category) }))),
    ),
  );
}
