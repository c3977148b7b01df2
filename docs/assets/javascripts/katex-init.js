// Render math with the self-hosted KaTeX. Material's instant navigation swaps
// page content without a reload, so render on every document$ emission rather
// than once on load.
(function () {
  // pymdownx.arithmatex (generic mode) wraps math in \( … \) and \[ … \].
  var ARITHMATEX = [
    { left: "\\(", right: "\\)", display: false },
    { left: "\\[", right: "\\]", display: true }
  ];
  // Notebook pages (mkdocs-jupyter): Markdown cells keep plain $…$ / $$…$$ math.
  var NOTEBOOK = [
    { left: "$$", right: "$$", display: true },
    { left: "$", right: "$", display: false }
  ];

  function renderAll(selector, delimiters) {
    document.querySelectorAll(selector).forEach(function (el) {
      renderMathInElement(el, { delimiters: delimiters, throwOnError: false });
    });
  }

  function renderMath() {
    if (typeof renderMathInElement === "undefined") return;
    renderAll(".arithmatex", ARITHMATEX);
    renderAll(".jp-MarkdownCell .jp-RenderedMarkdown", NOTEBOOK);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(renderMath);
  } else {
    document.addEventListener("DOMContentLoaded", renderMath);
  }
})();
