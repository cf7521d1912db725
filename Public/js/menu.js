// On a phone the header's navigation, language switch and logout fold behind one "Menu" button
// (issue 12). Without JavaScript the button stays hidden and everything shows, as before.
(function () {
  var button = document.getElementById("menu-button");
  var panel = document.getElementById("menu-panel");
  if (!button || !panel) return;
  document.documentElement.classList.add("menu-js");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    panel.classList.toggle("menu-open", open);
  });
})();

// The case page's "Details" (issue 12) is open beside the conversation on a wide screen; on a phone
// it stays folded below the conversation. Without JavaScript the stylesheet shows it on a wide screen.
(function () {
  var wide = window.matchMedia && window.matchMedia("(min-width: 64rem)");
  if (!wide || !wide.matches) return;
  var folded = document.querySelectorAll("details[data-wide-open]");
  for (var i = 0; i < folded.length; i++) folded[i].open = true;
})();

// After a failed post the error summary takes focus, so it is read out and seen first.
(function () {
  var summary = document.getElementById("error-summary");
  if (!summary) return;
  summary.focus();
  // Once the page has loaded the browser may scroll to the form's #fragment: the summary keeps focus.
  window.addEventListener("load", function () { setTimeout(function () { summary.focus(); }, 0); });
})();
