// Render pymdownx.arithmatex output (generic mode: \( … \) and \[ … \]) with the
// self-hosted KaTeX. Material's instant navigation swaps page content without a
// reload, so render on every document$ emission rather than once on load.
(function () {
  function renderMath() {
    if (typeof renderMathInElement === "undefined") return;
    document.querySelectorAll(".arithmatex").forEach(function (el) {
      renderMathInElement(el, {
        delimiters: [
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: true }
        ],
        throwOnError: false
      });
    });
    // Notebook pages: Markdown cells carry plain $…$ / $$…$$ math.
    document.querySelectorAll(".jp-MarkdownCell .jp-RenderedMarkdown").forEach(function (el) {
      renderMathInElement(el, {
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "$", right: "$", display: false }
        ],
        throwOnError: false
      });
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(renderMath);
  } else {
    document.addEventListener("DOMContentLoaded", renderMath);
  }
})();
