// Small fixes to Material's behavior, on every page (no dependencies).
(function () {
  // 1. Search results: Material puts the terms a result matched into `?h=` so the
  //    target page highlights them. A page's own entry often matched nothing itself
  //    (its sections did), which leaves `?h=` empty and nothing highlighted on
  //    arrival: use the query as typed instead.
  function fillEmptyHighlights(root) {
    var input = document.querySelector("input.md-search__input");
    var query = input ? input.value.trim() : "";
    if (!query) return;
    root.querySelectorAll("a.md-search-result__link").forEach(function (link) {
      var url = new URL(link.href, location.href);
      if (url.searchParams.has("h") && !url.searchParams.get("h").trim()) {
        url.searchParams.set("h", query);
        link.href = url.toString();
      }
    });
  }

  // 1b. The search index separates Chinese words with U+200B (jieba's segmentation, which
  //     Material's search needs); it is invisible but copied and read out with the titles.
  function dropZeroWidthSpaces(root) {
    root.querySelectorAll(".md-search-result__item h1, .md-search-result__item h2").forEach(function (title) {
      var walker = document.createTreeWalker(title, NodeFilter.SHOW_TEXT);
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.nodeValue.indexOf("\u200b") !== -1) node.nodeValue = node.nodeValue.replace(/\u200b/g, "");
      }
    });
  }

  // 2. A box that scrolls must be reachable by keyboard (axe
  //    scrollable-region-focusable): notebook cells, wide tables, formulas and
  //    diagrams get tabindex="0" when, and only when, they actually scroll.
  var SCROLLERS = ".md-content pre, .md-content div, .md-content table, .md-content .arithmatex";
  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";

  function makeScrollersFocusable() {
    document.querySelectorAll(SCROLLERS).forEach(function (el) {
      if (el.hasAttribute("tabindex")) return;
      var style = getComputedStyle(el);
      var scrollsX = /(auto|scroll)/.test(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
      var scrollsY = /(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight + 1;
      if ((scrollsX || scrollsY) && !el.querySelector(FOCUSABLE)) {
        el.setAttribute("tabindex", "0");
      }
    });
  }

  // 3. A diagram wider than the column scrolls inside its box: start it centered,
  //    where a top-down graph has its root.
  function centerWideDiagrams() {
    document.querySelectorAll(".md-typeset .diagram").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth && box.scrollLeft === 0) {
        box.scrollLeft = (box.scrollWidth - box.clientWidth) / 2;
      }
    });
  }

  function setUp() {
    var results = document.querySelector(".md-search-result");
    if (results && !results.dataset.highlightFix) {
      results.dataset.highlightFix = "1";
      new MutationObserver(function () { fillEmptyHighlights(results); dropZeroWidthSpaces(results); })
        .observe(results, { childList: true, subtree: true });
    }
    makeScrollersFocusable();
    centerWideDiagrams();
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(setUp);
  } else {
    document.addEventListener("DOMContentLoaded", setUp);
  }
  window.addEventListener("load", makeScrollersFocusable);
})();
