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

  // 3. Diagrams (see extra.css): a box that scrolls starts at its left edge and says so
  //    (.diagram--scrolls, a "scroll sideways" line); a diagram shown smaller than drawn, or
  //    scrolling, gets an "open full size" link to the SVG alone, where a phone can zoom it.
  var DIAGRAM_TEXT = {
    zh: { cue: "← 左右滑动查看整张图 →", full: "打开原尺寸图", named: "打开原尺寸图：" },
    en: { cue: "← Scroll sideways to see the whole diagram →", full: "Open full size", named: "Open full size: " }
  };

  function diagramText() {
    return /^zh/i.test(document.documentElement.lang) ? DIAGRAM_TEXT.zh : DIAGRAM_TEXT.en;
  }

  function fullSizeUrl(svg) {
    var copy = svg.cloneNode(true);
    copy.removeAttribute("style"); // drawn size, no column fitting
    if (!copy.getAttribute("xmlns")) copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    var source = '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy);
    return URL.createObjectURL(new Blob([source], { type: "image/svg+xml" }));
  }

  function setUpDiagrams() {
    var text = diagramText();
    document.querySelectorAll(".md-typeset .diagram[data-diagram]").forEach(function (box) {
      var svg = box.querySelector(":scope > svg");
      if (!svg) return;
      var bar = box.nextElementSibling;
      if (!bar || !bar.classList.contains("diagram-bar")) {
        bar = document.createElement("p");
        bar.className = "diagram-bar";
        var cue = document.createElement("span");
        cue.className = "diagram-bar__cue";
        cue.textContent = text.cue;
        var link = document.createElement("a");
        link.className = "diagram-bar__full";
        link.textContent = text.full;
        link.target = "_blank";
        link.rel = "noopener";
        link.href = fullSizeUrl(svg);
        var name = svg.getAttribute("aria-label");
        if (name) link.setAttribute("aria-label", text.named + name);
        bar.appendChild(cue);
        bar.appendChild(link);
        box.parentNode.insertBefore(bar, box.nextSibling);
      }
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      var natural = svg.viewBox && svg.viewBox.baseVal ? svg.viewBox.baseVal.width : 0;
      var smaller = natural > 0 && svg.getBoundingClientRect().width < natural - 1;
      box.classList.toggle("diagram--scrolls", scrolls);
      bar.querySelector(".diagram-bar__cue").hidden = !scrolls;
      bar.hidden = !(scrolls || smaller);
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
    setUpDiagrams();
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(setUp);
  } else {
    document.addEventListener("DOMContentLoaded", setUp);
  }
  window.addEventListener("load", makeScrollersFocusable);
  window.addEventListener("resize", setUpDiagrams);
})();
