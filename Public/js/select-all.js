// "Select all" for lists with checkboxes (the inquiry inbox, D2). Without JavaScript the box stays
// hidden and each row is ticked by hand; the server never depends on it.
(function () {
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var group = all.getAttribute("data-select-all");
    var boxes = Array.prototype.slice.call(document.querySelectorAll('[data-select="' + group + '"]'));
    if (boxes.length === 0) return;
    var holder = all.closest("[hidden]");
    if (holder) holder.hidden = false;
    function sync() {
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      all.checked = ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      sync();
    });
    boxes.forEach(function (box) { box.addEventListener("change", sync); });
    sync();
  });
})();
