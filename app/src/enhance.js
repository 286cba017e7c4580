// Selecta's page script, inlined in every page's head by the server (app/src/lib.rs).
//
// Without it every link and form works as plain HTML: the server renders each page whole.
// With it, links and forms of this site fetch the next page and morph it into the current one,
// so that the page lives on (no reload, focus and typed text kept, live regions announced),
// and the WASM islands (app/src/components/islands.rs) are loaded once the page has loaded and
// kept across pages. Called with the bundle's hashed file names.
(js, wasm) => {
  // --- Islands: the WASM client, fetched after the page has loaded (never delaying it).
  let client = null;
  const done = new WeakSet();
  const hydrate = () => {
    if (!client) return;
    for (const el of document.querySelectorAll('leptos-island')) {
      if (done.has(el)) continue;
      done.add(el);
      const island = client[el.dataset.component];
      if (island) island(el);
      else console.warn(`no island ${el.dataset.component} in the bundle`);
    }
  };
  const load = () => import(js).then(async (m) => {
    await m.default({ module_or_path: wasm });
    m.hydrate();
    client = m;
    hydrate();
  });
  if (document.readyState === 'complete') load();
  else addEventListener('load', load, { once: true });

  // --- Navigation in place.
  const html = { Accept: 'text/html' };
  let latest = 0;

  addEventListener('click', (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = ev.target instanceof Element ? ev.target.closest('a[href]') : null;
    if (!a || a.target || a.hasAttribute('download')) return;
    if ((a.getAttribute('rel') || '').split(/\s+/).includes('external')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin) return;
    // An anchor in this page: the browser scrolls to it.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
    ev.preventDefault();
    visit(new Request(url, { headers: html }), { push: true });
  });

  addEventListener('submit', (ev) => {
    const form = ev.target;
    if (ev.defaultPrevented || !(form instanceof HTMLFormElement) || form.target) return;
    const submitter = ev.submitter;
    const method = (submitter?.getAttribute('formmethod') || form.getAttribute('method') || 'get').toUpperCase();
    const action = new URL(submitter?.getAttribute('formaction') || form.action, location.href);
    if (action.origin !== location.origin || (method !== 'GET' && method !== 'POST')) return;
    if (form.enctype === 'multipart/form-data') return;
    const body = new URLSearchParams(new FormData(form, submitter));
    ev.preventDefault();
    if (method === 'GET') {
      action.search = body.toString();
      visit(new Request(action, { headers: html }), { push: !form.hasAttribute('data-replace'), form });
    } else {
      visit(new Request(action, { method: 'POST', body, headers: html }), { push: true, form });
    }
  });

  addEventListener('popstate', () => visit(new Request(location.href, { headers: html }), { pop: true }));

  async function visit(req, { push = false, pop = false, form = null }) {
    const mine = ++latest;
    const root = document.documentElement;
    root.classList.add('loading');
    let res = null;
    let text = null;
    try {
      res = await fetch(req);
      if ((res.headers.get('content-type') || '').includes('text/html')) text = await res.text();
    } catch (e) {
      res = null;
    }
    if (mine !== latest) return; // a later navigation wins
    root.classList.remove('loading');
    if (text === null) {
      // Not a page, or no answer: let the browser do it the plain way.
      if (req.method === 'GET') location.assign(req.url);
      else if (res) location.assign(res.url);
      else if (form) form.submit();
      return;
    }
    const url = new URL(res.redirected ? res.url : req.url);
    const newPath = url.pathname !== location.pathname;
    swap(new DOMParser().parseFromString(text, 'text/html'));
    if (!pop) {
      if (push && url.href !== location.href) history.pushState(null, '', url);
      else history.replaceState(null, '', url);
      if (newPath) scrollTo(0, 0);
    }
    hydrate();
  }

  // --- Morphing the new page into the current one, node by node.
  function swap(doc) {
    document.title = doc.title;
    const focus = focusKey(document.activeElement);
    morph(document.body, doc.body);
    const now = document.activeElement;
    if (focus && (!now || now === document.body)) restoreFocus(focus);
  }

  function morph(from, to) {
    attributes(from, to);
    if (from.tagName === 'LEPTOS-ISLAND') return; // its own client renders it
    const focused = from === document.activeElement;
    if (!focused && (from instanceof HTMLInputElement)) {
      from.value = to.value;
      from.checked = to.checked;
    }
    const olds = [...from.childNodes];
    const news = [...to.childNodes];
    news.forEach((n, i) => {
      const o = olds[i];
      if (o && same(o, n)) {
        if (o.nodeType === Node.ELEMENT_NODE) morph(o, n);
        else if (o.nodeValue !== n.nodeValue) o.nodeValue = n.nodeValue;
      } else {
        const fresh = document.importNode(n, true);
        if (o) from.replaceChild(fresh, o);
        else from.appendChild(fresh);
      }
    });
    for (const o of olds.slice(news.length)) o.remove();
    if (!focused && (from instanceof HTMLTextAreaElement || from instanceof HTMLSelectElement)) {
      from.value = to.value;
    }
  }

  function same(o, n) {
    if (o.nodeType !== n.nodeType) return false;
    if (o.nodeType !== Node.ELEMENT_NODE) return true;
    if (o.tagName !== n.tagName || o.id !== n.id) return false;
    if (o.getAttribute('data-track-id') !== n.getAttribute('data-track-id')) return false;
    if (o.tagName === 'LEPTOS-ISLAND') {
      // Kept while in use (typing in the search box), else re-rendered when its props changed.
      return o.dataset.component === n.dataset.component
        && (o.dataset.props === n.dataset.props || o.contains(document.activeElement));
    }
    return true;
  }

  function attributes(from, to) {
    if (from.tagName === 'LEPTOS-ISLAND') return;
    // A disclosure the listener opened or closed stays so (the options after a re-generate).
    const keep = (name) => name === 'open' && from.tagName === 'DETAILS';
    for (const a of [...from.attributes]) if (!to.hasAttribute(a.name) && !keep(a.name)) from.removeAttribute(a.name);
    for (const a of to.attributes) if (from.getAttribute(a.name) !== a.value && !keep(a.name)) from.setAttribute(a.name, a.value);
  }

  // Focus that was on a control the new page replaced goes to its counterpart: the same id,
  // else the control with the same test id at the same position (the next track's Remove).
  function focusKey(el) {
    if (!el || el === document.body) return null;
    if (el.id) return { id: el.id };
    const t = el.getAttribute('data-testid');
    const selector = t ? `[data-testid="${CSS.escape(t)}"]` : el.tagName.toLowerCase();
    return { selector, index: [...document.querySelectorAll(selector)].indexOf(el) };
  }

  function restoreFocus(key) {
    let el = key.id ? document.getElementById(key.id) : null;
    if (!el && key.selector && key.index >= 0) {
      const all = document.querySelectorAll(key.selector);
      el = all[Math.min(key.index, all.length - 1)];
    }
    if (el) el.focus({ preventScroll: true });
  }
}
