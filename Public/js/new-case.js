// New case (issue 12 point 5): choosing an object selects its customer. Only an enhancement: without
// JavaScript the server takes the customer from the object when none is chosen.
(function () {
  var object = document.getElementById("object");
  var customer = document.getElementById("customer");
  if (!object || !customer || !object.getAttribute("data-customers")) return;
  var customerOf = {};
  object.getAttribute("data-customers").split(",").forEach(function (pair) {
    var parts = pair.split(":");
    if (parts.length === 2) customerOf[parts[0]] = parts[1];
  });
  object.addEventListener("change", function () {
    var id = customerOf[object.value];
    if (!id) return;
    for (var i = 0; i < customer.options.length; i++) {
      if (customer.options[i].value === id) { customer.value = id; return; }
    }
  });
})();
