/** The cart page and checkout: quantities, removal, checkout start and order completion. */

import { MAX_QUANTITY } from "../cart.js";
import { formatPrice, h } from "../dom.js";
import { productImage } from "../images.js";
import { emptyState, pageHeading, productHref } from "../ui.js";

export function renderCart(shop, _route, view) {
  shop.cart.viewed();
  view.append(pageHeading("Your cart"));
  const body = h("div", { class: "cart", dataset: { testid: "cart-page" } });
  view.append(body);
  const draw = () => body.replaceChildren(...cartContents(shop, draw));
  draw();
}

function cartContents(shop, redraw) {
  if (shop.cart.lines.length === 0) {
    return [emptyState("Your cart is empty.", h("a", { class: "button", href: "#/featured", text: "Shop featured products" }))];
  }
  const lines = h(
    "ul",
    { class: "cart-lines", "aria-label": "Items in your cart" },
    shop.cart.lines.map((line) => cartLine(shop, line, redraw)),
  );
  const checkout = h("button", {
    type: "button",
    class: "button",
    dataset: { testid: "checkout-button" },
    text: "Proceed to checkout",
    onClick: () => {
      shop.cart.startCheckout();
      shop.navigate("#/checkout");
    },
  });
  return [lines, orderSummary(shop, checkout)];
}

function cartLine(shop, line, redraw) {
  const item = shop.data.item(line.itemId);
  const change = (quantity) => {
    shop.cart.setQuantity(item.id, quantity);
    redraw();
    shop.focusTestId(`qty-${item.id}`);
  };
  return h(
    "li",
    { class: "cart-line", dataset: { testid: "cart-line", itemId: item.id } },
    h("a", { href: productHref(item.id), class: "cart-line-image", tabindex: "-1" }, productImage(item)),
    h(
      "div",
      { class: "cart-line-body" },
      h("a", { href: productHref(item.id), class: "cart-line-name", text: item.name }),
      h("span", { class: "cart-line-price", text: formatPrice(item.price) }),
    ),
    h(
      "div",
      { class: "stepper", role: "group", "aria-label": `Quantity of ${item.name}` },
      h("button", {
        type: "button",
        "aria-label": "Decrease quantity",
        dataset: { testid: "qty-decrease" },
        text: "−",
        onClick: () => change(line.quantity - 1),
      }),
      h("output", { dataset: { testid: `qty-${item.id}` }, tabindex: "-1", text: line.quantity }),
      h("button", {
        type: "button",
        "aria-label": "Increase quantity",
        dataset: { testid: "qty-increase" },
        text: "+",
        disabled: line.quantity >= MAX_QUANTITY,
        onClick: () => change(line.quantity + 1),
      }),
    ),
    h("span", { class: "cart-line-total", text: formatPrice(item.price * line.quantity) }),
    h("button", {
      type: "button",
      class: "link-button",
      dataset: { testid: "remove-line" },
      text: "Remove",
      onClick: () => {
        shop.cart.remove(item.id);
        redraw();
      },
    }),
  );
}

function orderSummary(shop, action) {
  return h(
    "aside",
    { class: "order-summary", "aria-label": "Order summary" },
    h("p", {}, "Items: ", h("strong", { text: shop.cart.count })),
    h("p", {}, "Total: ", h("strong", { dataset: { testid: "cart-total" }, text: formatPrice(shop.cart.total) })),
    h("p", { class: "fine-print", text: "Free shipping. No payment is taken in this demo." }),
    action,
  );
}

export function renderCheckout(shop, _route, view) {
  view.append(pageHeading("Checkout"));
  if (shop.cart.lines.length === 0) {
    view.append(emptyState("There is nothing to check out.", h("a", { href: "#/cart", text: "Back to the cart" })));
    return;
  }
  const user = shop.currentUser();
  const field = (name, label, value, type = "text") =>
    h(
      "p",
      { class: "field" },
      h("label", { for: `checkout-${name}`, text: label }),
      h("input", { id: `checkout-${name}`, name, type, value, required: true, autocomplete: name }),
    );
  const form = h(
    "form",
    {
      class: "checkout-form",
      dataset: { testid: "checkout-form" },
      onSubmit: (event) => {
        event.preventDefault();
        shop.lastOrder = shop.cart.completeOrder();
        shop.navigate(`#/order/${shop.lastOrder.orderId}`);
      },
    },
    h("h2", { text: "Shipping" }),
    field("name", "Full name", user?.name ?? "Alex Shopper"),
    field("email", "Email", `${user?.username ?? "shopper"}@example.com`, "email"),
    field("street-address", "Address", "1 Demo Street, Springfield"),
    h("p", { class: "fine-print", text: "This is a demo: placing the order takes no payment." }),
    h("button", { type: "submit", class: "button", dataset: { testid: "place-order" }, text: "Place order" }),
  );
  view.append(h("div", { class: "checkout" }, form, orderSummary(shop, null)));
}

export function renderOrder(shop, route, view) {
  const order = shop.lastOrder?.orderId === route.params.id ? shop.lastOrder : null;
  view.append(
    h(
      "section",
      { class: "order-confirmation", dataset: { testid: "order-confirmation" } },
      h("h1", { tabindex: "-1", text: "Thank you for your order!" }),
      h("p", {}, "Order number ", h("code", { dataset: { testid: "order-id" }, text: route.params.id })),
      order
        ? h(
            "ul",
            { class: "order-lines" },
            order.lines.map((line) =>
              h("li", { text: `${line.quantity} × ${shop.data.item(line.itemId).name}` }),
            ),
          )
        : null,
      order ? h("p", {}, "Order total: ", h("strong", { text: formatPrice(order.total) })) : null,
      h("a", { class: "button", href: "#/", text: "Continue shopping" }),
    ),
  );
}
