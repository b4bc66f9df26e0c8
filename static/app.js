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
