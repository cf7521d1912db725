// Branding preview (C8): while a colour is typed, the sample takes it at once. Only strict #rrggbb
// values are applied, the same rule the server enforces. Without JavaScript, the "Preview" button does this.
// Issue 12: each hex field gets a colour picker beside it (hidden without JavaScript, where the hex field
// works alone); the two stay in sync and only the hex field is submitted.
(function () {
  var preview = document.getElementById("branding-preview");
  var form = document.getElementById("branding-form");
  if (!preview || !form) return;
  var pattern = /^#[0-9a-fA-F]{6}$/;
  // The text drawn on a chosen menu background or accent: white or dark, whichever contrasts more
  // (the same rule as Branding.readableText on the server).
  var onColour = { "--menu-bg": "--menu-text", "--accent": "--accent-text" };
  function luminance(hex) {
    var value = parseInt(hex.slice(1), 16);
    function channel(shift) {
      var c = ((value >> shift) & 255) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0);
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  function apply(input) {
    var name = input.getAttribute("data-colour-name");
    if (!name) return;
    var property = "--" + name.replace(/^colour_/, "").replace(/_/g, "-");
    var value = input.value.trim();
    var textProperty = onColour[property];
    if (pattern.test(value)) {
      preview.style.setProperty(property, value);
      if (textProperty) preview.style.setProperty(textProperty, contrast(value, "#ffffff") >= contrast(value, "#102a43") ? "#ffffff" : "#102a43");
      var picker = document.getElementById(input.id + "-picker");
      if (picker) picker.value = value.toLowerCase();
    } else if (value === "") {
      preview.style.removeProperty(property);
      if (textProperty) preview.style.removeProperty(textProperty);
    }
  }
  var pickers = form.querySelectorAll("input[data-picker-for]");
  for (var i = 0; i < pickers.length; i++) {
    pickers[i].hidden = false;
    pickers[i].addEventListener("input", function (event) {
      var field = document.getElementById(event.target.getAttribute("data-picker-for"));
      if (!field) return;
      field.value = event.target.value;
      apply(field);
    });
  }
  form.addEventListener("input", function (event) {
    if (event.target.hasAttribute("data-colour-name")) apply(event.target);
  });
})();
