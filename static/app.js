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
