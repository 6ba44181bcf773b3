// carta serve: reload the preview from server-sent events, keep the scroll position, show
// problems. Content reaches the page only as text (textContent), never as markup.
(() => {
  "use strict";
  const body = document.body;
  const data = body.dataset;
  let reloads = 0;

  function showProblems(problems) {
    const box = document.getElementById("carta-problems");
    const list = box.querySelector("ol");
    list.replaceChildren(...problems.map((problem) => {
      const item = document.createElement("li");
      const where = document.createElement("code");
      where.textContent = problem.where;
      item.append(where, " " + (problem.field ? problem.field + ": " : "") + problem.message);
      return item;
    }));
    const count = problems.length;
    box.querySelector(".count").textContent = count + (count === 1 ? " problem" : " problems");
    box.hidden = count === 0;
  }

  // Load the new version in a hidden frame, then swap: no blank flash, same scroll position.
  function swap(id, url) {
    const old = document.getElementById(id);
    const fresh = old.cloneNode(false);
    fresh.removeAttribute("id");
    fresh.classList.add("loading");
    fresh.addEventListener("load", () => {
      try {
        const from = old.contentWindow;
        fresh.contentWindow.scrollTo(from.scrollX, from.scrollY);
      } catch (error) { /* a PDF viewer keeps its own position */ }
      old.remove();
      fresh.classList.remove("loading");
      fresh.id = id;
      reloads += 1;
      body.dataset.reloads = String(reloads);
    }, { once: true });
    fresh.src = url;
    old.after(fresh);
    const placeholder = old.parentElement.querySelector(".none");
    if (placeholder) placeholder.remove();
  }

  function showPdf(url) {
    const frame = document.getElementById("carta-pdf");
    if (!frame) return;
    if (document.querySelector("main.view-page")) {
      frame.dataset.src = url;  // loaded when the PDF is shown
    } else {
      frame.dataset.src = "";
      frame.src = url;
    }
  }

  for (const button of document.querySelectorAll("button[data-view]")) {
    button.addEventListener("click", () => {
      const main = document.querySelector("main");
      main.className = "view-" + button.dataset.view;
      for (const other of document.querySelectorAll("button[data-view]")) {
        other.setAttribute("aria-pressed", String(other === button));
      }
      const frame = document.getElementById("carta-pdf");
      if (button.dataset.view !== "page" && frame.dataset.src) showPdf(frame.dataset.src);
    });
  }

  let pending = null;
  const source = new EventSource("/_carta/events");
  source.addEventListener("hello", (event) => {
    const hello = JSON.parse(event.data);
    if (hello.boot !== data.boot) { location.reload(); return; }  // a new server
    showProblems(hello.problems);
    body.dataset.live = "yes";
  });
  source.addEventListener("problems", (event) => {
    showProblems(JSON.parse(event.data).problems);
  });
  source.addEventListener("html", (event) => {
    const built = JSON.parse(event.data);
    if (data.page === "preview" && built.url === data.html) {
      swap("carta-html", built.url + "?v=" + built.version);
    }
  });
  source.addEventListener("pdf", (event) => {
    const built = JSON.parse(event.data);
    if (data.page === "preview" && built.url === data.pdf) {
      showPdf(built.url + "?v=" + built.version);
    }
  });
  source.addEventListener("cycle", () => {
    // The index lists what exists: read it again once a rebuild is over.
    if (data.page === "index") {
      clearTimeout(pending);
      pending = setTimeout(() => location.reload(), 200);
    }
  });
})();
