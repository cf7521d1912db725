// Branding preview (C8): while a colour is typed, the sample takes it at once. Only strict #rrggbb
// values are applied, the same rule the server enforces. Without JavaScript, the "Preview" button does this.
(function () {
  var preview = document.getElementById("branding-preview");
  var form = document.getElementById("branding-form");
  if (!preview || !form) return;
  var pattern = /^#[0-9a-fA-F]{6}$/;
  form.addEventListener("input", function (event) {
    var input = event.target;
    var name = input.getAttribute("data-colour-name");
    if (!name) return;
    var property = "--" + name.replace(/^colour_/, "").replace(/_/g, "-");
    var value = input.value.trim();
    if (pattern.test(value)) preview.style.setProperty(property, value);
    else if (value === "") preview.style.removeProperty(property);
  });
})();
