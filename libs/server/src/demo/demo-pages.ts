/**
 * A small storefront instrumented with the recorder, so that a newcomer can click around and watch
 * their own visit a moment later. It exercises what Loupe records: page loads and single-page
 * navigation, clicks, a masked block, form inputs (masked, a password), a button that does nothing
 * and one whose handler throws.
 */
export interface DemoProduct {
  id: string;
  name: string;
  price: number;
  colour: string;
  blurb: string;
}

export const PRODUCTS: DemoProduct[] = [
  { id: 'lamp', name: 'Brass desk lamp', price: 89, colour: '#c9a227', blurb: 'Warm light for long evenings.' },
  { id: 'mug', name: 'Stoneware mug', price: 24, colour: '#6b8f71', blurb: 'Holds a large coffee, keeps it hot.' },
  { id: 'chair', name: 'Oak reading chair', price: 349, colour: '#8c5e3c', blurb: 'Deep seat, straight back.' },
  { id: 'rug', name: 'Wool rug', price: 199, colour: '#a23b3b', blurb: 'Hand-woven, 160 × 230 cm.' },
];

/** Enough to scroll through on any screen: how far visitors read shows on the scroll map. */
const REVIEWS = [
  { by: 'Ada, Lyon', text: 'Arrived well packed and a day early. Exactly as pictured, and it feels solid in the hand.' },
  { by: 'Ben, Leeds', text: 'I compared a dozen of these before buying. This one is the only one that does not wobble.' },
  { by: 'Chloé, Gent', text: 'The colour is a little warmer than on screen, which I prefer. Would buy again.' },
  { by: 'Dev, Pune', text: 'Bought one for the office and one for home. Colleagues keep asking where it is from.' },
  { by: 'Eva, Porto', text: 'Simple, quiet, well made. The kind of thing you stop noticing because it just works.' },
  { by: 'Farid, Oslo', text: 'Customer service answered within the hour when I asked about the size. Recommended.' },
  { by: 'Greta, Graz', text: 'Heavier than expected, in a good way. It has not moved an inch since I put it down.' },
  { by: 'Hugo, Nantes', text: 'Third purchase from this shop. Everything so far has lasted, which is rare these days.' },
];

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function layout(title: string, body: string, opts: { key: string | null; endpoint: string }): string {
  const init = opts.key
    ? `<script src="${esc(opts.endpoint)}/sdk/loupe.js"></script>
<script>window.Loupe && Loupe.init({ key: ${JSON.stringify(opts.key)}, endpoint: ${JSON.stringify(opts.endpoint)} });</script>`
    : '<!-- No project yet: the demo does not record. -->';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Loupe demo store</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1f2328; background: #faf8f5; }
  header { display: flex; gap: 1.5rem; align-items: center; padding: 1rem 2rem; background: #fff; border-bottom: 1px solid #e5e0d8; }
  header a { color: inherit; text-decoration: none; } header .brand { font-weight: 700; margin-right: auto; }
  main { max-width: 960px; margin: 2rem auto; padding: 0 1rem; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 1rem; }
  .card { background: #fff; border: 1px solid #e5e0d8; border-radius: 8px; padding: 1rem; }
  .swatch { height: 120px; border-radius: 6px; margin-bottom: .5rem; }
  button, .button { background: #1f2328; color: #fff; border: 0; border-radius: 6px; padding: .6rem 1rem; font: inherit; cursor: pointer; text-decoration: none; display: inline-block; }
  button.secondary { background: #e5e0d8; color: #1f2328; }
  label { display: block; margin: .75rem 0 .25rem; } input { font: inherit; padding: .5rem; width: 100%; max-width: 320px; box-sizing: border-box; }
  .tabs button { margin-right: .5rem; } .note { color: #6a6259; font-size: .9rem; }
  .more { margin-top: 1.5rem; } .review { margin: 0 0 1.25rem; padding: 1rem 1.25rem; border-left: 4px solid #e5e0d8; min-height: 6rem; }
</style></head>
<body>
<header><a class="brand" href="/demo">Loupe demo store</a><a href="/demo">Shop</a><a href="/demo/cart" id="cart-link">Cart</a><a href="/demo/account">Sign in</a></header>
<main>${body}</main>
${init}
</body></html>`;
}

export function shopPage(opts: { key: string | null; endpoint: string }): string {
  const cards = PRODUCTS.map(
    (p) => `<div class="card" data-testid="product-${p.id}"><div class="swatch" style="background:${p.colour}"></div>
<h3>${esc(p.name)}</h3><p>${esc(p.blurb)}</p><p><strong>€${p.price}</strong></p>
<a class="button" href="/demo/product/${p.id}">View</a></div>`,
  ).join('\n');
  return layout(
    'Shop',
    `<h1>Things for a quiet room</h1><p class="note">Everything you do here is recorded by Loupe: open the console to watch it.</p>
<div class="grid">${cards}</div>
<p><button id="newsletter" class="secondary">Subscribe to the newsletter</button> <span class="note">(this button does nothing)</span></p>`,
    opts,
  );
}

export function productPage(product: DemoProduct, opts: { key: string | null; endpoint: string }): string {
  return layout(
    product.name,
    `<div class="card"><div class="swatch" style="background:${product.colour}"></div>
<h1>${esc(product.name)}</h1><p><strong>€${product.price}</strong></p>
<div class="tabs"><button class="secondary" data-tab="details">Details</button><button class="secondary" data-tab="reviews">Reviews</button></div>
<p id="tab-body">${esc(product.blurb)}</p>
<button id="add-to-cart">Add to cart</button> <button id="gift-wrap" class="secondary">Gift wrap</button></div>
<section class="card more" id="reviews"><h2>What people say</h2>
${REVIEWS.map((r) => `<blockquote class="review"><p>${esc(r.text)}</p><footer class="note">${esc(r.by)}</footer></blockquote>`).join('\n')}
</section>
<script>
  // The tabs change the address with the History API, as a single-page app would.
  document.querySelectorAll('[data-tab]').forEach(function (b) {
    b.addEventListener('click', function () {
      history.pushState({}, '', location.pathname + '?tab=' + b.dataset.tab);
      document.getElementById('tab-body').textContent = b.dataset.tab === 'reviews' ? '★★★★☆ “Just right.”' : ${JSON.stringify(product.blurb)};
    });
  });
  document.getElementById('add-to-cart').addEventListener('click', function () {
    var cart = JSON.parse(localStorage.getItem('demo-cart') || '[]'); cart.push(${JSON.stringify(product.id)});
    localStorage.setItem('demo-cart', JSON.stringify(cart));
    window.Loupe && Loupe.track('add_to_cart', { product: ${JSON.stringify(product.id)}, price: ${product.price} });
    location.href = '/demo/cart';
  });
  // A broken feature: its handler throws, which Loupe records as an error.
  document.getElementById('gift-wrap').addEventListener('click', function () { throw new Error('Gift wrapping is not available'); });
</script>`,
    opts,
  );
}

export function cartPage(opts: { key: string | null; endpoint: string }): string {
  return layout(
    'Cart',
    `<h1>Your cart</h1><div class="card"><ul id="items"></ul>
<p data-loupe-mask>Ship to: 12 Quiet Lane, Springfield</p>
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email">
<label for="card">Card number</label><input id="card" name="card" inputmode="numeric">
<p><button id="checkout">Place order</button></p><p id="done" class="note"></p></div>
<script>
  var items = JSON.parse(localStorage.getItem('demo-cart') || '[]');
  document.getElementById('items').innerHTML = items.length ? items.map(function (i) { return '<li>' + i + '</li>'; }).join('') : '<li>Nothing yet.</li>';
  // An experiment to try: define one with the key "demo-checkout-button" and variants "control" and
  // "b" in the console's project, and half the visitors see the other label.
  window.Loupe && Loupe.getVariant('demo-checkout-button').then(function (variant) {
    if (variant === 'b') document.getElementById('checkout').textContent = 'Buy now';
  });
  document.getElementById('checkout').addEventListener('click', function () {
    localStorage.removeItem('demo-cart');
    window.Loupe && Loupe.track('purchase', { items: items.length });
    document.getElementById('done').textContent = 'Thank you! (Nothing was charged: this is a demo.)';
  });
</script>`,
    opts,
  );
}

export function accountPage(opts: { key: string | null; endpoint: string }): string {
  return layout(
    'Sign in',
    `<h1>Sign in</h1><form class="card" id="signin" onsubmit="event.preventDefault(); document.getElementById('signed').textContent = 'Signed in (not really).'; window.Loupe && Loupe.identify(document.getElementById('user').value.length ? 'demo-user' : 'anonymous', {});">
<label for="user">Email</label><input id="user" name="user" type="email" autocomplete="username">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<p><button type="submit">Sign in</button></p><p id="signed" class="note"></p></form>`,
    opts,
  );
}
