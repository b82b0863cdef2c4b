/* The shipping zones form: "Add" buttons copy the last row of their kind (emptied and
   renumbered), and a ticked "Remove" dims its row. Without this script the form still
   works: it always has spare empty rows, and removal is the check box. */
(function () {
  var builder = document.currentScript && document.currentScript.previousElementSibling;
  if (!builder || !builder.matches("[data-zone-builder]")) { return; }
  var LEVEL = {zone: /^(\w+-)(\d+)/, rate: /(-rate-)(\d+)/, band: /(-band-)(\d+)/,
               place: /(-place-)(\d+)/};
  var ATTRIBUTES = ["name", "id", "for", "aria-describedby"];

  function rows(group, kind) {
    var own = '[data-row="' + kind + '"]';
    return group.querySelectorAll(":scope > " + own + ", :scope > table > tbody > " + own);
  }

  function renumber(row, kind, index) {
    var pattern = LEVEL[kind];
    [row].concat(Array.prototype.slice.call(row.querySelectorAll("*"))).forEach(function (element) {
      ATTRIBUTES.forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value && pattern.test(value)) {
          element.setAttribute(attribute, value.replace(pattern, function (_m, head) { return head + index; }));
        }
      });
    });
  }

  function empty(row) {
    row.querySelectorAll("input").forEach(function (input) {
      if (input.type === "checkbox") { input.checked = false; } else if (input.type !== "hidden") { input.value = ""; }
      input.removeAttribute("aria-invalid");
    });
    row.querySelectorAll(".zone-errors, .help + .help").forEach(function (node) { node.remove(); });
    row.classList.remove("has-error", "removed");
    row.querySelectorAll("[data-new]").forEach(function (inner) { inner.querySelector("legend").textContent = inner.dataset.new; });
    if (row.dataset.new) { row.querySelector("legend").textContent = row.dataset.new; }
  }

  // Spare rows wait, hidden, for "Add" (a zone's first place box stays in sight).
  builder.querySelectorAll("[data-spare]").forEach(function (row) { row.hidden = true; });

  builder.querySelectorAll("[data-add]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var kind = button.dataset.add;
      var group = kind === "zone" ? builder : button.closest('[data-group="' + kind + '"]');
      var existing = rows(group, kind);
      var waiting = Array.prototype.find.call(existing, function (row) { return row.hidden; });
      if (waiting) {
        waiting.hidden = false;
        var input = waiting.querySelector("input:not([type=hidden]):not([type=checkbox])");
        if (input) { input.focus(); }
        return;
      }
      var last = existing[existing.length - 1];
      if (!last) { return; }
      var copy = last.cloneNode(true);
      empty(copy);
      renumber(copy, kind, existing.length);
      last.after(copy);
      var first = copy.querySelector("input:not([type=hidden]):not([type=checkbox])");
      if (first) { first.focus(); }
    });
  });

  builder.addEventListener("change", function (event) {
    if (event.target.matches("[data-remove]")) {
      event.target.closest("[data-row]").classList.toggle("removed", event.target.checked);
    }
  });
})();
