// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // A USB scanner types the code and Enter: keep the scan field focused and clean.
  const scan = document.querySelector(".scan-input");
  if (scan) {
    scan.focus();
    scan.addEventListener("keydown", (e) => {
      if (e.key === "Tab") { e.preventDefault(); scan.form.requestSubmit(); }
    });
  }
  // "/" jumps to the quick-find field from anywhere outside a text field.
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (e.key === "/" && !(t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement)) {
      const q = document.querySelector(".scan-input") || document.querySelector(".quickfind input");
      if (q) { e.preventDefault(); q.focus(); q.select(); }
    }
  });
});

// Intake: customers by phone or name as the clerk types; picking one fills the contact fields.
document.addEventListener("DOMContentLoaded", () => {
  const name = document.querySelector("input[data-lookup]");
  if (!name) return;
  const list = document.getElementById(name.getAttribute("list"));
  const id = document.getElementById("customer_id");
  const phone = document.querySelector("input[name=customer_phone]");
  const email = document.querySelector("input[name=customer_email]");
  let found = [];
  let timer = null;
  const label = (c) => `${c.name} · ${c.phone}`;
  name.addEventListener("input", () => {
    const picked = found.find((c) => label(c) === name.value);
    if (picked) {
      name.value = picked.name; phone.value = picked.phone; email.value = picked.email || ""; id.value = picked.id;
      return;
    }
    id.value = "";  // typed by hand: a new customer unless picked again
    clearTimeout(timer);
    if (name.value.trim().length < 2) return;
    timer = setTimeout(async () => {
      const r = await fetch(`${name.dataset.lookup}?q=${encodeURIComponent(name.value.trim())}`, {credentials: "same-origin"});
      if (!r.ok) return;
      found = await r.json();
      list.replaceChildren(...found.map((c) => { const o = document.createElement("option"); o.value = label(c); return o; }));
    }, 200);
  });
});

// Intake: the model picker. Suggestions from the catalogue as the clerk types; picking one (Enter,
// a click) puts its id into the hidden model_id. Arrows move, Escape closes. Without this script the
// clerk types the model's full name and the server looks it up.
document.addEventListener("DOMContentLoaded", () => {
  const input = document.querySelector("input[data-model-lookup]");
  if (!input) return;
  const id = document.getElementById("model_id");
  const list = document.getElementById(input.getAttribute("aria-controls"));
  let found = [];
  let active = -1;
  let timer = null;
  let asked = 0;  // only the answer to the latest question is shown
  const close = () => {
    list.hidden = true; active = -1;
    input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
  };
  const pick = (m) => { input.value = m.label; id.value = m.id; close(); };
  const highlight = (n) => {
    const options = list.querySelectorAll("[role=option]");
    options.forEach((o, i) => o.setAttribute("aria-selected", String(i === n)));
    active = n;
    if (options[n]) { input.setAttribute("aria-activedescendant", options[n].id); options[n].scrollIntoView({block: "nearest"}); }
    else input.removeAttribute("aria-activedescendant");
  };
  const show = () => {
    list.replaceChildren(...found.map((m) => {
      const o = document.createElement("li");
      o.id = `model-option-${m.id}`; o.textContent = m.label;
      o.setAttribute("role", "option"); o.setAttribute("aria-selected", "false");
      o.addEventListener("mousedown", (e) => { e.preventDefault(); pick(m); });  // before the input loses focus
      return o;
    }));
    if (!found.length) {
      const none = document.createElement("li");
      none.className = "empty"; none.textContent = list.dataset.empty;
      list.append(none);
    }
    list.hidden = false; input.setAttribute("aria-expanded", "true");
    if (found.length) highlight(0);  // Enter takes the first suggestion
  };
  input.addEventListener("input", () => {
    id.value = "";  // typed by hand: no model until one is picked
    highlight(-1);  // nor may Enter take a suggestion for what was typed before
    clearTimeout(timer);
    const ask = ++asked;  // an answer still on its way is to an older question now
    const q = input.value.trim();
    if (q.length < 2) { found = []; close(); return; }
    timer = setTimeout(async () => {
      const r = await fetch(`${input.dataset.modelLookup}?q=${encodeURIComponent(q)}`, {credentials: "same-origin"});
      if (!r.ok || ask !== asked) return;
      const answer = await r.json();
      if (ask !== asked) return;
      found = answer;
      const same = found.find((m) => m.label.toLowerCase() === q.toLowerCase());
      if (same) id.value = same.id;  // typed in full: as good as picked
      if (document.activeElement === input) show();
    }, 150);
  });
  input.addEventListener("keydown", (e) => {
    if (list.hidden) {
      if (e.key === "ArrowDown" && found.length) { e.preventDefault(); show(); }
      return;
    }
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (found.length) highlight(Math.max(0, Math.min(found.length - 1, active + (e.key === "ArrowDown" ? 1 : -1))));
    } else if (e.key === "Enter") {
      e.preventDefault();  // picks (nothing while the list is being refreshed); the next Enter submits the form
      if (found[active]) pick(found[active]);
    } else if (e.key === "Escape") {
      e.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);
});

// Team lead: a header checkbox checks or clears every row's box of that name.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-check-all]").forEach((all) => {
    const boxes = () => document.querySelectorAll(`input[type=checkbox][name="${all.dataset.checkAll}"]`);
    all.addEventListener("change", () => boxes().forEach((b) => { b.checked = all.checked; }));
  });
});
