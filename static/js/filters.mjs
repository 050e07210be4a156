// The search page's filter panel on a phone: the MOJ "filter layout" pattern. A "Show filters"
// button (with how many filters are selected) folds the panel away, so that the first result is
// on the first screen. The styles in static/css/site.css apply the folding only below GOV.UK's
// tablet breakpoint; wider screens, and browsers without this script, show the panel as it is.
//
// htmx replaces the whole search area (panel included) after every change, so the state lives
// here and is applied again to each new panel, in the same task as the swap (before it is drawn).

const LAYOUT = ".app-filter-layout";
let expanded = false;

function apply(layout) {
  const button = layout.querySelector(".app-filter-toggle");
  if (!button) return;
  // A search with a problem opens the panel: its error summary links into it.
  if (document.querySelector("#search-area .govuk-error-summary")) expanded = true;
  const selected = Number(layout.dataset.selected) || 0;
  button.textContent =
    (expanded ? "Hide filters" : "Show filters") + (selected ? ` (${selected} selected)` : "");
  button.setAttribute("aria-expanded", String(expanded));
  button.hidden = false;
  layout.classList.add("app-filter-layout--enhanced");
  layout.classList.toggle("app-filter-layout--collapsed", !expanded);
}

function applyAll() {
  document.querySelectorAll(LAYOUT).forEach(apply);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest?.(".app-filter-toggle");
  if (!button) return;
  expanded = button.getAttribute("aria-expanded") !== "true";
  apply(button.closest(LAYOUT));
});

// A swap (a filter ticked, a page of results, a new sort) and Back or Forward (htmx restores
// a copy of the page as it was) both bring in a panel drawn without this state.
document.addEventListener("htmx:afterSwap", applyAll);
document.addEventListener("htmx:historyRestore", applyAll);
applyAll();
