/** Profile: emulate one of the generated shoppers (link it to this browser), or sign out. */

import { h, titleCase } from "../dom.js";
import { initials, pageHeading, personaLabel } from "../ui.js";

const SHOWN_USERS = 12;

export function renderProfile(shop, _route, view) {
  view.append(
    pageHeading("Emulate a shopper"),
    h("p", {
      class: "page-intro",
      text: "Every generated shopper has a persona: two departments their history comes from. Pick one and the shop personalizes for them.",
    }),
    currentShopper(shop),
    chooser(shop),
  );
}

function currentShopper(shop) {
  const user = shop.currentUser();
  if (!user) {
    return h("p", { class: "current-shopper", dataset: { testid: "current-shopper" }, text: "You are browsing anonymously." });
  }
  return h(
    "div",
    { class: "current-shopper", dataset: { testid: "current-shopper", userId: user.id } },
    h("p", {}, "Shopping as ", h("strong", { text: user.name }), ` (${personaLabel(user)}).`),
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
  const personas = [...new Set(shop.data.users.map((user) => user.persona))].sort();
  const personaFilter = h(
    "select",
    { id: "persona-filter", dataset: { testid: "persona-filter" } },
    h("option", { value: "", text: "All personas" }),
    personas.map((persona) => h("option", { value: persona, text: titleCase(persona.replace("_", " & ")) })),
  );
  const search = h("input", {
    id: "user-search",
    type: "search",
    placeholder: "Name or id",
    autocomplete: "off",
    dataset: { testid: "user-search" },
  });
  const choices = h("div", { class: "user-choices", dataset: { testid: "user-choices" } });
  const save = h("button", { type: "submit", class: "button", dataset: { testid: "profile-save" }, text: "Save: shop as this user", disabled: true });
  const redraw = () => {
    choices.replaceChildren(...userChoices(shop, { persona: personaFilter.value, text: search.value }));
    save.disabled = !choices.querySelector("input:checked");
  };
  personaFilter.addEventListener("change", redraw);
  search.addEventListener("input", redraw);
  choices.addEventListener("change", () => {
    save.disabled = !choices.querySelector("input:checked");
  });
  redraw();
  return h(
    "form",
    {
      class: "shopper-chooser",
      dataset: { testid: "profile-form" },
      onSubmit: (event) => {
        event.preventDefault();
        const chosen = choices.querySelector("input:checked");
        if (chosen) shop.signIn(chosen.value);
      },
    },
    h(
      "div",
      { class: "chooser-filters" },
      h("p", { class: "field" }, h("label", { for: "persona-filter", text: "Persona" }), personaFilter),
      h("p", { class: "field" }, h("label", { for: "user-search", text: "Find a shopper" }), search),
    ),
    h("fieldset", {}, h("legend", { text: "Shoppers" }), choices),
    save,
  );
}

function userChoices(shop, { persona, text }) {
  const needle = text.trim().toLowerCase();
  const current = shop.identity.userId;
  const matches = shop.data.users.filter(
    (user) =>
      (!persona || user.persona === persona) &&
      (!needle || String(user.id) === needle || user.name.toLowerCase().includes(needle) || user.username?.toLowerCase().includes(needle)),
  );
  if (matches.length === 0) return [h("p", { text: "No shopper matches." })];
  return matches.slice(0, SHOWN_USERS).map((user) =>
    h(
      "label",
      { class: "user-choice", dataset: { testid: "user-option", userId: user.id, persona: user.persona } },
      h("input", { type: "radio", name: "user", value: user.id, checked: String(user.id) === current }),
      h("span", { class: "avatar", "aria-hidden": "true", text: initials(user.name) }),
      h(
        "span",
        { class: "user-choice-body" },
        h("strong", { text: user.name }),
        h("span", { class: "user-choice-facts", text: `#${user.id} · ${user.age} · ${user.gender === "F" ? "female" : "male"}` }),
        h("span", { class: "chips" }, user.categories.map((category) => h("span", { class: "chip", text: titleCase(category) }))),
      ),
    ),
  );
}
