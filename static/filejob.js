// A file made in the background: poll its state and show the download when it is ready.
// The page works without this (it shows the state at load and a refresh link).
document.addEventListener("DOMContentLoaded", () => {
  const page = document.querySelector("[data-file-job][data-status-url]");
  if (!page) return;
  const url = page.dataset.statusUrl;
  const bar = page.querySelector("[data-file-progress]");
  const count = page.querySelector("[data-file-count]");
  const label = page.querySelector("[data-file-state]");
  const error = page.querySelector("[data-file-error]");
  const download = page.querySelector("[data-file-download]");
  const link = page.querySelector("[data-file-link]");
  let delay = 1000;
  const show = (s) => {
    page.dataset.state = s.state;
    label.textContent = s.state_label;
    bar.max = s.total || 1;
    bar.value = s.done;
    count.textContent = `${s.done} / ${s.total}`;
    error.textContent = s.error || "";
    error.hidden = !s.error;
    if (s.download_url) { link.href = s.download_url; download.hidden = false; }
  };
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;  // logged out or gone: stop; the page says what it last knew
      const s = await response.json();
      show(s);
      if (s.state === "done" || s.state === "failed") return;
    } catch (e) {
      delay = Math.min(delay * 2, 10000);  // the network hiccuped: try again, less often
    }
    setTimeout(poll, delay);
  };
  if (page.dataset.state === "queued" || page.dataset.state === "running") setTimeout(poll, 500);
});
