// GOV.UK Frontend's components (error summary focus, menus, tabs, buttons), started on every
// page; everything still works without them.
import { initAll } from "../vendor/govuk-frontend-6.6.0/govuk-frontend.min.js";

initAll();
// Content that htmx swaps in (the search page's results) gets its components started too.
document.addEventListener("htmx:afterSettle", (event) => initAll({ scope: event.target }));
