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
