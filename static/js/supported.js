// Runs first thing in <body> (a file, not inline, for the Content-Security-Policy): tells GOV.UK
// Frontend's styles that scripts run here, so that they style the enhanced components.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
