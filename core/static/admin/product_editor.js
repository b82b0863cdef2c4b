/* Haat admin: the product editor, on top of a form that works without JavaScript.
   - "Make every combination", "Add a variant row" and "Remove" change the variant
     table in the page (the server does the same without this script); rows also appear
     by themselves when option values are added and no row would be taken out;
   - there is no variant table until the first option has a name, and the second and
     third options show once the one before has a name;
   - photos are sent to the server the moment they are chosen (staged, so nothing
     chosen is lost), shown at once from the file itself (object URLs), and ordered by
     dragging their picture or with their arrow buttons: the order goes into the same
     position fields the page has without JavaScript;
   - each variant row chooses one of the photos, shown as a small picture beside it;
   - the description gets Trix's toolbar (vendor/trix); its HTML goes into the
     description field, which the server sanitises;
   - leaving the page with changes not saved asks first (not when saving). */
(function () {
  "use strict";

  var form = document.querySelector("form[data-product-editor]");
  var textNode = document.getElementById("product-editor-text");
  if (!form || !textNode || !window.FormData || !document.querySelector || !Array.prototype.forEach) return;
  var T = JSON.parse(textNode.textContent);
  var FIELDS = ["sku", "price", "compare_at", "stock", "weight"];
  var MODES = { price: "decimal", compare_at: "decimal", stock: "numeric", weight: "numeric" };
  var MAX_OPTIONS = 3;
  var dirty = form.hasAttribute("data-unsaved");
  var submitting = false;
  var uploading = 0;
  var pendingSubmit = null;

  /* ------------------------------------------------------------ words and digits */

  function digits(value) {
    return String(value).replace(/[0-9]/g, function (d) { return T.digits.charAt(+d); });
  }
  function say(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, name) {
      var value = values[name];
      return typeof value === "number" ? digits(value) : (value == null ? "" : value);
    });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === false || value == null) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  function announce(box, text) {
    if (!box) return;
    box.textContent = "";
    window.setTimeout(function () { box.textContent = text; }, 50);
  }
  function markDirty() { dirty = true; }

  form.classList.add("js-editor");

  /* ------------------------------------------------ leaving with unsaved changes */

  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  window.addEventListener("beforeunload", function (event) {
    if (!dirty || submitting) return undefined;
    event.preventDefault();
    event.returnValue = "";  // the browser shows its own question
    return "";
  });

  /* ------------------------------------------------------------------ photos */

  var photoList = form.querySelector("[data-photo-list]");
  var photoStatus = form.querySelector("[data-photo-status]");
  var fileInput = form.querySelector("#f-images");
  var csrf = form.querySelector("input[name=csrf_token]");

  function photoItems() {
    return photoList ? Array.prototype.slice.call(photoList.children) : [];
  }
  function photoLabel(index) { return say(T.photo_n, { n: index + 1 }); }

  /* Numbers, badges, positions and buttons after any change of the list; then the
     variants' photo choices, which follow the list. */
  function renumberPhotos() {
    var items = photoItems();
    items.forEach(function (item, index) {
      var label = photoLabel(index);
      var title = item.querySelector("[data-photo-title]");
      if (title) title.textContent = label;
      var badge = item.querySelector("[data-main-badge]");
      if (badge) badge.hidden = index !== 0;
      var position = item.querySelector("[data-photo-position]");
      if (position) position.value = String(index + 1);
      var buttons = item.querySelectorAll("[data-move]");
      Array.prototype.forEach.call(buttons, function (button) {
        var up = button.getAttribute("data-move") === "-1";
        button.disabled = up ? index === 0 : index === items.length - 1;
        var text = button.querySelector("[data-move-label]");
        if (text) text.textContent = say(up ? T.move_up : T.move_down, { photo: label });
      });
      item.querySelectorAll(".photo-remove-label").forEach(function (span) { span.textContent = " " + label; });
    });
    if (photoList) photoList.hidden = !items.length;
    var help = form.querySelector("[data-drag-help]");
    if (help) help.hidden = items.length < 2;
    refreshVariantPhotos();
  }

  function enhancePhoto(item) {
    var positionField = item.querySelector(".position-field");
    if (positionField) positionField.hidden = true;  // the order is the list's order now
    var buttons = item.querySelector("[data-move-buttons]");
    if (buttons) buttons.hidden = false;
    var handle = item.querySelector("[data-drag-handle]");
    if (handle) {
      handle.title = T.drag;
      handle.classList.add("drag-handle");
      handle.addEventListener("pointerdown", startDrag);
    }
    var alt = item.querySelector("[data-photo-alt-input]");
    if (alt) alt.addEventListener("input", function () {
      item.setAttribute("data-photo-alt", alt.value.trim());
      refreshVariantPhotos();
    });
  }

  function movePhoto(item, step) {
    var items = photoItems();
    var index = items.indexOf(item);
    var target = index + step;
    if (index < 0 || target < 0 || target >= items.length) return;
    if (step < 0) photoList.insertBefore(item, items[target]);
    else photoList.insertBefore(item, items[target].nextSibling);
    markDirty();
    renumberPhotos();
    var button = item.querySelector("[data-move='" + step + "']");
    if (button && button.disabled) button = item.querySelector("[data-move]:not(:disabled)");
    if (button) button.focus();
    announce(photoStatus, say(T.moved, { photo: photoLabel(target), n: target + 1, count: items.length }));
  }

  if (photoList) {
    photoList.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-move]");
      if (!button) return;
      event.preventDefault();
      movePhoto(button.closest("li"), parseInt(button.getAttribute("data-move"), 10));
    });
  }

  /* Drag by the picture: pointer events, so a finger works as well as a mouse. */
  var dragging = null;
  function startDrag(event) {
    if (event.button !== undefined && event.button !== 0) return;
    var item = event.currentTarget.closest("li");
    if (!item) return;
    event.preventDefault();
    dragging = { item: item, handle: event.currentTarget, start: photoItems().indexOf(item),
                 x: event.clientX, y: event.clientY };
    dragging.timer = window.setInterval(autoScroll, 20);
    item.classList.add("is-dragging");
    // On the document, not the picture: moving the photo in the list would end a
    // pointer capture on it.
    document.addEventListener("pointermove", onDrag);
    document.addEventListener("pointerup", endDrag);
    document.addEventListener("pointercancel", endDrag);
  }
  function placeAt(x, y) {
    var under = document.elementFromPoint(x, y);
    var target = under && under.closest && under.closest("[data-photo-list] > li");
    if (!target || target === dragging.item || target.parentNode !== photoList) return;
    var box = target.getBoundingClientRect();
    var after = y > box.top + box.height / 2;
    photoList.insertBefore(dragging.item, after ? target.nextSibling : target);
  }
  /* Near the top or bottom of the screen the page scrolls, so that a photo can be
     taken past what a phone shows at once. */
  function autoScroll() {
    if (!dragging) return;
    var edge = 56, y = dragging.y, height = window.innerHeight, step = 0;
    if (y < edge) step = -Math.ceil((edge - y) / 4);
    else if (y > height - edge) step = Math.ceil((y - (height - edge)) / 4);
    if (step) {
      window.scrollBy(0, step);
      placeAt(dragging.x, y);
    }
  }
  function onDrag(event) {
    if (!dragging) return;
    dragging.x = event.clientX;
    dragging.y = event.clientY;
    placeAt(event.clientX, event.clientY);
  }
  function endDrag(event) {
    if (!dragging) return;
    document.removeEventListener("pointermove", onDrag);
    document.removeEventListener("pointerup", endDrag);
    document.removeEventListener("pointercancel", endDrag);
    dragging.item.classList.remove("is-dragging");
    window.clearInterval(dragging.timer);
    var index = photoItems().indexOf(dragging.item);
    if (index !== dragging.start) {
      markDirty();
      renumberPhotos();
      announce(photoStatus, say(T.moved, { photo: photoLabel(index), n: index + 1, count: photoItems().length }));
    }
    dragging = null;
    if (event && event.type === "pointercancel") renumberPhotos();
  }

  /* A photo chosen now: shown from the file at once, sent to the server, then given
     the fields a staged photo has in the page the server draws. */
  function pendingItem(file) {
    var preview = window.URL && URL.createObjectURL ? URL.createObjectURL(file) : "";
    var img = el("img", { src: preview, alt: "", width: "96", height: "96" });
    var status = el("span", { className: "badge badge-warn", text: T.uploading });
    var item = el("li", { className: "image-item image-pending is-uploading", "data-photo": "",
                          "data-photo-alt": "", "data-photo-name": file.name }, [
      el("div", { className: "photo-thumb", "data-drag-handle": true }, [img]),
      el("div", { className: "image-fields" }, [
        el("p", { className: "image-caption" }, [
          el("strong", { "data-photo-title": true }), document.createTextNode(" "),
          el("span", { className: "badge badge-on", "data-main-badge": true, hidden: true, text: T.main_photo }),
          document.createTextNode(" "), status, document.createTextNode(" "),
          el("span", { className: "image-name", text: file.name })]),
        el("p", { className: "error", "data-photo-error": true, hidden: true }),
        el("div", { className: "photo-actions" }, [
          el("span", { className: "move-buttons", "data-move-buttons": true }, [
            moveButton("-1"), moveButton("1")]),
          removeButton()])])]);
    item._preview = preview;
    return item;
  }
  function moveButton(step) {
    return el("button", { type: "button", className: "move", "data-move": step }, [
      el("span", { "aria-hidden": "true", text: step === "-1" ? "↑" : "↓" }),
      el("span", { className: "visually-hidden", "data-move-label": true })]);
  }
  function removeButton() {
    return el("button", { type: "button", className: "link", "data-remove-photo": true }, [
      document.createTextNode(T.remove),
      el("span", { className: "visually-hidden photo-remove-label" })]);
  }

  function stagedFields(item, photo) {
    var id = photo.id;
    var altId = "f-staged-" + id + "-alt";
    var alt = el("input", { type: "text", id: altId, name: "staged-" + id + "-alt", value: "",
                            maxlength: "300", "data-photo-alt-input": true });
    var fields = el("div", { className: "field" }, [el("label", { "for": altId, text: T.alt }), alt]);
    var position = el("input", { type: "hidden", name: "staged-" + id + "-position",
                                 value: "", "data-photo-position": true });
    var box = item.querySelector(".image-fields");
    box.insertBefore(fields, box.querySelector(".photo-actions"));
    box.appendChild(position);
    item.setAttribute("data-photo", photo.value);
    item.setAttribute("data-thumbnail", photo.thumbnail);
    item.classList.remove("is-uploading");
    var badge = item.querySelector(".badge-warn");
    if (badge) badge.textContent = T.not_saved;
    alt.addEventListener("input", function () {
      item.setAttribute("data-photo-alt", alt.value.trim());
      refreshVariantPhotos();
    });
  }

  function failed(item, message) {
    item.classList.remove("is-uploading");
    item.classList.add("has-error");
    var badge = item.querySelector(".badge-warn");
    if (badge) badge.remove();
    var error = item.querySelector("[data-photo-error]");
    error.textContent = message;
    error.hidden = false;
    error.setAttribute("role", "alert");
  }

  function upload(file) {
    var item = pendingItem(file);
    photoList.appendChild(item);
    enhancePhoto(item);
    renumberPhotos();
    uploading += 1;
    markDirty();
    var body = new FormData();
    body.append("csrf_token", csrf ? csrf.value : "");
    body.append("images", file, file.name);
    ["title", "handle"].forEach(function (name) {
      var input = form.querySelector("[name=" + name + "]");
      if (input) body.append(name, input.value);
    });
    return fetch(form.getAttribute("data-photo-url"), {
      method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 413) return { errors: [say(T.too_large, { name: file.name })] };
      return response.json().catch(function () { return { errors: [say(T.upload_failed, { name: file.name })] }; });
    }).then(function (data) {
      var photo = data.photos && data.photos[0];
      if (photo) {
        stagedFields(item, photo);
        announce(photoStatus, say(T.uploaded, { name: file.name }));
      } else {
        failed(item, (data.errors && data.errors[0]) || say(T.upload_failed, { name: file.name }));
      }
    }).catch(function () {
      failed(item, say(T.upload_failed, { name: file.name }));
    }).then(function () {
      uploading -= 1;
      renumberPhotos();
      if (!uploading && pendingSubmit) {
        var submitter = pendingSubmit;
        pendingSubmit = null;
        if (form.requestSubmit) form.requestSubmit(submitter); else form.submit();
      }
    });
  }

  if (photoList && fileInput && window.fetch) {
    photoItems().forEach(enhancePhoto);
    var orderHelp = form.querySelector("[data-order-help]");
    if (orderHelp) orderHelp.hidden = true;
    fileInput.addEventListener("change", function () {
      var files = Array.prototype.slice.call(fileInput.files || []);
      fileInput.value = "";  // they are sent now, not again with the form
      files.forEach(upload);
    });
    photoList.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-remove-photo]");
      if (!button) return;
      event.preventDefault();
      var item = button.closest("li");
      var value = item.getAttribute("data-photo");
      if (/^s\d+$/.test(value)) {  // staged: the server forgets it and its files
        var body = new FormData();
        body.append("csrf_token", csrf ? csrf.value : "");
        fetch(form.getAttribute("data-photo-url") + "/" + value.slice(1) + "/delete",
              { method: "POST", body: body, credentials: "same-origin" }).catch(function () {});
      }
      if (item._preview && URL.revokeObjectURL) URL.revokeObjectURL(item._preview);
      var next = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      markDirty();
      renumberPhotos();
      var focus = next && next.querySelector("[data-remove-photo], a");
      (focus || fileInput).focus();
    });
    renumberPhotos();
  }

  /* Saving while a photo is still on its way: wait for it, then save. */
  form.addEventListener("submit", function (event) {
    if (uploading > 0) {
      event.preventDefault();
      pendingSubmit = event.submitter || null;
      announce(photoStatus, T.waiting);
      return;
    }
    submitting = true;
  });

  /* ----------------------------------------------------------------- variants */

  var area = form.querySelector("[data-variant-area]");
  var variantStatus = form.querySelector("[data-variant-status]");
  var addRow = form.querySelector("[data-add-row]");

  function optionInputs(kind) {
    var found = [];
    for (var i = 0; i < MAX_OPTIONS; i += 1) found.push(form.querySelector("[data-option-" + kind + "='" + i + "']"));
    return found;
  }
  var nameInputs = optionInputs("name");
  var valueInputs = optionInputs("values");

  function optionNames() { return nameInputs.map(function (input) { return input ? input.value.trim() : ""; }); }
  function width() {
    var names = optionNames(), last = 0;
    names.forEach(function (name, i) { if (name) last = i + 1; });
    return Math.max(1, last);
  }
  function splitValues(text) {
    var seen = {}, values = [];
    text.split(",").forEach(function (value) {
      value = value.split(/\s+/).filter(Boolean).join(" ");
      var key = value.toLowerCase();
      if (value && !seen[key]) { seen[key] = true; values.push(value); }
    });
    return values;
  }

  /* The rows as typed, read from the table the page has now. */
  function readRows() {
    if (!area) return [];
    return Array.prototype.map.call(area.querySelectorAll("tbody tr"), function (tr) {
      var row = {};
      tr.querySelectorAll("input[name^='variant-'], select[name^='variant-']").forEach(function (input) {
        var match = /^variant-\d+-(\w+)$/.exec(input.name);
        if (match) row[match[1]] = input.value;
      });
      return row;
    });
  }

  function photoOptions(select, chosen) {
    select.textContent = "";
    select.appendChild(el("option", { value: "", text: T.no_photo }));
    photoItems().forEach(function (item, index) {
      var value = item.getAttribute("data-photo");
      if (!value) return;  // still on its way to the server
      var extra = item.getAttribute("data-photo-alt") || item.getAttribute("data-photo-name") || "";
      if (extra.length > 30) extra = extra.slice(0, 29) + "…";
      select.appendChild(el("option", { value: value, text: photoLabel(index) + (extra ? ": " + extra : "") }));
    });
    select.value = chosen;
    if (select.value !== chosen) select.value = "";
    showVariantThumb(select);
  }
  function showVariantThumb(select) {
    var cell = select.parentNode;
    var thumb = cell.querySelector(".variant-thumb");
    var item = select.value && photoList && photoList.querySelector("[data-photo='" + select.value + "']");
    var src = item ? (item.getAttribute("data-thumbnail") || (item.querySelector("img") || {}).src) : "";
    if (!src) { if (thumb) thumb.remove(); return; }
    if (!thumb) {
      thumb = el("img", { className: "variant-thumb", alt: "", width: "40", height: "40" });
      cell.insertBefore(thumb, select);
    }
    thumb.src = src;
  }
  function refreshVariantPhotos() {
    if (!area) return;
    area.querySelectorAll("select[data-variant-photo]").forEach(function (select) {
      photoOptions(select, select.value);
    });
  }

  function cell(number, name, label, value, mode) {
    var id = "f-variant-" + number + "-" + name;
    var input = el("input", { type: "text", id: id, name: "variant-" + number + "-" + name,
                              value: value || "", inputmode: mode,
                              "aria-label": label + ", " + say(T.row, { n: number + 1 }) });
    input.value = value || "";
    return el("td", { "data-label": label }, [input]);
  }

  /* Draw the table from rows (or take it away when there are none). */
  function render(rows) {
    if (!area) return;
    area.textContent = "";
    var names = optionNames(), columns = width();
    toggleAddRow();
    if (!rows.length) return;
    var head = el("tr");
    var labels = [];
    for (var i = 0; i < columns; i += 1) {
      labels.push(names[i] || say(T.option, { n: i + 1 }));
      head.appendChild(el("th", { scope: "col", text: labels[i] }));
    }
    FIELDS.forEach(function (name) { head.appendChild(el("th", { scope: "col", text: T[name] })); });
    head.appendChild(el("th", { scope: "col", text: T.photo }));
    head.appendChild(el("th", { scope: "col" }, [el("span", { className: "visually-hidden", text: T.remove })]));
    var body = el("tbody");
    rows.forEach(function (row, number) {
      var tr = el("tr", { id: "variant-row-" + number });
      for (var c = 0; c < columns; c += 1) tr.appendChild(cell(number, "option" + (c + 1), labels[c], row["option" + (c + 1)]));
      FIELDS.forEach(function (name) { tr.appendChild(cell(number, name, T[name], row[name], MODES[name])); });
      var select = el("select", { id: "f-variant-" + number + "-image", name: "variant-" + number + "-image",
                                  "aria-label": T.photo + ", " + say(T.row, { n: number + 1 }),
                                  "data-variant-photo": true });
      tr.appendChild(el("td", { "data-label": T.photo, className: "photo-cell" }, [select]));
      photoOptions(select, row.image || "");
      tr.appendChild(el("td", { "data-label": "" }, [
        el("input", { type: "hidden", name: "variant-" + number + "-id", value: row.id || "" }),
        el("button", { type: "submit", name: "action", value: "remove_variant:" + number, className: "link" }, [
          document.createTextNode(T.remove),
          el("span", { className: "visually-hidden", text: " " + say(T.row, { n: number + 1 }) })])]));
      body.appendChild(tr);
    });
    var table = el("table", { className: "list-table variant-table" }, [el("thead", {}, [head]), body]);
    area.appendChild(el("div", { className: "table-wrap" }, [table]));
  }

  function toggleAddRow() {
    if (addRow) addRow.hidden = !optionNames()[0];
    // The second and third options appear once the one before has a name.
    var names = optionNames();
    for (var i = 1; i < MAX_OPTIONS; i += 1) {
      var show = !!(names[i - 1] || names[i] || (valueInputs[i] && valueInputs[i].value.trim()));
      [nameInputs[i], valueInputs[i]].forEach(function (input) {
        var box = input && input.closest(".field");
        if (box) box.hidden = !show;
      });
    }
  }

  /* One row per combination of the listed values; rows that have one keep what was
     typed in them. null when something is missing (the server then explains). */
  function combinations() {
    var names = optionNames(), lists = [];
    for (var i = 0; i < MAX_OPTIONS; i += 1) {
      if (!names[i]) continue;
      if (i > 0 && !names[i - 1]) return null;
      var values = splitValues(valueInputs[i] ? valueInputs[i].value : "");
      if (!values.length) return null;
      lists.push(values);
    }
    if (!lists.length) return null;
    var combos = [[]];
    lists.forEach(function (values) {
      var next = [];
      combos.forEach(function (combo) { values.forEach(function (v) { next.push(combo.concat([v])); }); });
      combos = next;
    });
    if (combos.length > 100) return null;
    var key = function (values) { return values.map(function (v) { return v.toLowerCase(); }).join("\u0000"); };
    var existing = {};
    readRows().forEach(function (row) {
      var values = [];
      for (var c = 0; c < lists.length; c += 1) values.push((row["option" + (c + 1)] || "").trim());
      if (!existing[key(values)]) existing[key(values)] = row;
    });
    var price = (form.querySelector("[name=price]") || {}).value || "";
    var kept = 0;
    var rows = combos.map(function (combo) {
      var row = existing[key(combo)];
      if (row) { kept += 1; delete existing[key(combo)]; } else row = { price: price, stock: "0" };
      combo.forEach(function (value, c) { row["option" + (c + 1)] = value; });
      return row;
    });
    return { rows: rows, dropped: readRows().length - kept };
  }

  function combine(auto) {
    var result = combinations();
    if (!result) return false;
    if (auto && result.dropped > 0) return true;  // taking rows out waits for the button
    var before = readRows().length;
    if (auto && result.rows.length === before) { render(readRows()); return true; }
    render(result.rows);
    markDirty();
    var message = say(T.rows_made, { n: result.rows.length });
    if (result.dropped > 0) message += " " + say(T.rows_dropped, { n: result.dropped });
    announce(variantStatus, message);
    return true;
  }

  if (area) {
    form.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("button[name=action]");
      if (!button) return;
      var action = button.value;
      if (action === "combine") {
        if (combine(false)) event.preventDefault();  // else the server says what is missing
      } else if (action === "add_variant") {
        if (!optionNames()[0]) return;
        var rows = readRows();
        if (rows.length >= 100) return;
        event.preventDefault();
        rows.push({ price: (form.querySelector("[name=price]") || {}).value || "", stock: "0" });
        render(rows);
        markDirty();
        announce(variantStatus, say(T.row_added, { n: rows.length }));
        var first = area.querySelector("#variant-row-" + (rows.length - 1) + " input");
        if (first) first.focus();
      } else if (/^remove_variant:\d+$/.test(action)) {
        event.preventDefault();
        var number = parseInt(action.split(":")[1], 10);
        var left = readRows();
        left.splice(number, 1);
        render(left);
        markDirty();
        announce(variantStatus, say(T.row_removed, { n: number + 1 }));
        var next = area.querySelector("#variant-row-" + Math.min(number, left.length - 1) + " button[name=action]");
        (next || button.closest("section").querySelector("[data-combine]")).focus();
      }
    });
    nameInputs.concat(valueInputs).forEach(function (input) {
      if (!input) return;
      input.addEventListener("change", function () {
        toggleAddRow();
        if (!combine(true)) render(readRows());  // new column names at least
      });
      input.addEventListener("input", toggleAddRow);
      // Enter (a phone keyboard's "Go") in an option field makes the rows; it does not
      // save a product whose rows are not there yet.
      input.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") return;
        event.preventDefault();
        var button = form.querySelector("[data-combine]");
        if (!combine(false) && button) button.click();
      });
    });
    toggleAddRow();
    area.addEventListener("change", function (event) {
      if (event.target.matches && event.target.matches("select[data-variant-photo]")) showVariantThumb(event.target);
    });
    refreshVariantPhotos();
  }

  /* ------------------------------------------------------- rich text (Trix) */

  var textarea = form.querySelector("#f-description");
  function startTrix() {
    // Trix defines its elements a moment after it loads: an editor made now is
    // upgraded then.
    if (!textarea || !window.customElements || !window.Trix) return;
    if (T.trix && Trix.config && Trix.config.lang) {
      Object.keys(T.trix).forEach(function (key) { Trix.config.lang[key] = T.trix[key]; });
    }
    var input = el("input", { type: "hidden", id: "f-description-rich" });
    input.value = textarea.getAttribute("data-html") || "";
    var editor = el("trix-editor", { input: "f-description-rich", id: "f-description-editor",
                                     className: "rich-text", "aria-labelledby": "f-description-label" });
    var help = document.getElementById("f-description-help");
    if (help && textarea.getAttribute("data-rich-help")) help.textContent = textarea.getAttribute("data-rich-help");
    var described = textarea.getAttribute("aria-describedby");
    if (described) editor.setAttribute("aria-describedby", described);
    if (textarea.getAttribute("aria-invalid")) editor.setAttribute("aria-invalid", "true");
    var label = document.getElementById("f-description-label");
    if (label) label.addEventListener("click", function () { editor.focus(); });
    textarea.hidden = true;
    textarea.parentNode.insertBefore(input, textarea.nextSibling);
    textarea.parentNode.insertBefore(editor, input.nextSibling);
    var ready = false;
    editor.addEventListener("trix-initialize", function () { ready = true; });
    editor.addEventListener("trix-change", function () {
      if (!ready) return;
      textarea.value = input.value;  // the field the form sends; the server sanitises it
      markDirty();
    });
    editor.addEventListener("trix-file-accept", function (event) { event.preventDefault(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startTrix);
  else startTrix();
})();
