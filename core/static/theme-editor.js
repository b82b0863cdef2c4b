/* Haat admin, theme page: a live preview on top of a form that works without JavaScript.
   - each colour's picker and hex text box stay in step;
   - as the merchant types (debounced), the form is posted to the preview endpoint, which
     keeps its valid values as the theme's draft; the preview frame then reloads,
     keeping its scroll position; errors show next to their fields, but not on the
     field being typed in;
   - a chosen image is sent once, right away, and shown as the field's current image;
   - the preview shows the chosen page, at phone or desktop width, scaled to fit;
   - "Discard draft" asks first. */
(function () {
  "use strict";

  var form = document.getElementById("theme-settings");
  var panel = document.querySelector("[data-preview]");
  if (!form || !panel || !window.fetch || !window.FormData) return;
  var frame = panel.querySelector("[data-preview-frame]");
  var viewport = panel.querySelector("[data-preview-viewport]");
  var status = panel.querySelector("[data-preview-status]");
  var pageChoice = panel.querySelector("[data-preview-page]");
  var widths = panel.querySelectorAll("[data-preview-width]");
  var endpoint = form.dataset.previewEndpoint;
  var COLOUR = /^#[0-9a-fA-F]{6}$/;
  var WIDTHS = { phone: 360, desktop: 1280 };
  var DELAY = 400;

  document.documentElement.classList.add("theme-editor-live");

  /* ------------------------------------------------------------ colours */

  Array.prototype.forEach.call(form.querySelectorAll(".colour-field"), function (box) {
    var picker = box.querySelector("[data-colour-picker]");
    var text = box.querySelector("[data-colour-text]");
    if (!picker || !text) return;
    picker.addEventListener("input", function () {
      text.value = picker.value.toLowerCase();
    });
    text.addEventListener("input", function () {
      var value = text.value.trim();
      if (COLOUR.test(value)) picker.value = value.toLowerCase();
    });
  });

  /* ------------------------------------------------------------ the frame */

  function chosenWidth() {
    for (var i = 0; i < widths.length; i++) {
      if (widths[i].checked) return widths[i].value;
    }
    return "phone";
  }

  function fit() {
    var width = chosenWidth();
    var target = WIDTHS[width] || WIDTHS.phone;
    var available = viewport.clientWidth;
    var scale = available > 0 ? Math.min(1, available / target) : 1;
    viewport.setAttribute("data-width", width);
    frame.style.width = target + "px";
    frame.style.height = Math.ceil(viewport.clientHeight / scale) + "px";
    frame.style.transform = scale < 1 ? "scale(" + scale + ")" : "";
  }

  function frameUrl() {
    var option = pageChoice && pageChoice.options[pageChoice.selectedIndex];
    return option ? option.getAttribute("data-url") : frame.getAttribute("src");
  }

  function scrollOf() {
    try {
      return frame.contentWindow.scrollY || 0;
    } catch (error) {
      return 0;
    }
  }

  /* Reload the preview (or show another page), keeping the scroll position on a reload.
     location.replace, so the merchant's Back button is not filled with preview pages. */
  function showPage(url, keepScroll) {
    var y = keepScroll ? scrollOf() : 0;
    viewport.classList.add("is-loading");
    frame.addEventListener("load", function restore() {
      frame.removeEventListener("load", restore);
      viewport.classList.remove("is-loading");
      try {
        if (y) frame.contentWindow.scrollTo(0, y);
      } catch (error) { /* a page of another origin: leave it */ }
    });
    try {
      frame.contentWindow.location.replace(url);
    } catch (error) {
      frame.setAttribute("src", url);
    }
  }

  var toggle = panel.querySelector("[data-preview-toggle]");
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var show = viewport.hidden;
      viewport.hidden = !show;
      toggle.setAttribute("aria-expanded", show ? "true" : "false");
      toggle.textContent = toggle.getAttribute(show ? "data-hide-text" : "data-show-text");
      if (show) fit();
    });
  }

  if (pageChoice) {
    pageChoice.addEventListener("change", function () { showPage(frameUrl(), false); });
  }
  Array.prototype.forEach.call(widths, function (radio) {
    radio.addEventListener("change", fit);
  });
  window.addEventListener("resize", fit);
  fit();

  /* ------------------------------------------------------------ errors */

  function fieldOf(key) {
    return form.querySelector('[data-setting="' + key + '"]');
  }

  function describe(input, id, on) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (on) ids.unshift(id);
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  function showErrors(errors) {
    var active = document.activeElement;
    Array.prototype.forEach.call(form.querySelectorAll("[data-setting]"), function (field) {
      var key = field.getAttribute("data-setting");
      var input = document.getElementById("setting-" + key);
      var slot = document.getElementById("setting-" + key + "-error");
      if (!input || !slot) return;
      var message = errors[key];
      if (message && (input === active || field.contains(active))) return;  // still typing
      field.classList.toggle("has-error", !!message);
      slot.textContent = message || "";
      slot.hidden = !message;
      if (message) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      describe(input, slot.id, !!message);
    });
  }

  function showImages(images) {
    Object.keys(images || {}).forEach(function (key) {
      var field = fieldOf(key);
      if (!field) return;
      var box = field.querySelector("[data-image-preview]");
      var upload = document.getElementById("setting-" + key);
      if (upload) upload.value = "";  // sent once: the draft has it now
      if (!box) return;
      var url = images[key];
      var img = box.querySelector("img");
      if (url) {
        if (!img) {
          img = document.createElement("img");
          img.alt = box.getAttribute("data-alt") || "";
          box.appendChild(img);
        }
        img.src = url;
      }
      box.hidden = !url;
    });
  }

  /* ------------------------------------------------------------ sending */

  var timer = null;
  var busy = false;
  var again = false;
  var filesToSend = {};

  function formData() {
    var data = new FormData(form);
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
      if (!filesToSend[input.name]) data.delete(input.name);
    });
    filesToSend = {};
    return data;
  }

  function say(text, isError) {
    if (status.textContent !== text) status.textContent = text;
    status.classList.toggle("error", !!isError);
  }

  /* Whether the settings in the form are a draft (differ from what shoppers see). */
  function markDraft(isDraft) {
    var state = document.querySelector("[data-draft-state]");
    if (state) {
      var text = state.getAttribute(isDraft ? "data-draft-text" : "data-published-text") || "";
      var holder = isDraft ? document.createElement("strong") : null;
      if (state.textContent.trim() !== text) {
        state.textContent = "";
        if (holder) {
          holder.textContent = text;
          state.appendChild(holder);
        } else {
          state.textContent = text;
        }
      }
    }
    var discard = form.querySelector("[data-discard]");
    if (discard) discard.hidden = !isDraft;
  }

  function send() {
    timer = null;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    viewport.classList.add("is-loading");
    fetch(endpoint, {
      method: "POST",
      body: formData(),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") < 0) throw new Error(String(response.status));
      return response.json();
    }).then(function (answer) {
      showErrors(answer.errors || {});
      showImages(answer.images);
      if (answer.saved) {
        markDraft(!!answer.draft);
        say(answer.status || "", false);
        showPage(frameUrl(), true);
      } else {
        viewport.classList.remove("is-loading");
      }
    }).catch(function () {
      viewport.classList.remove("is-loading");
      say(form.dataset.errorText || "", true);
    }).then(function () {
      busy = false;
      if (again) {
        again = false;
        send();
      }
    });
  }

  function schedule(delay) {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(send, delay);
  }

  form.addEventListener("input", function (event) {
    if (event.target.type === "file") return;  // sent on "change", right away
    schedule(DELAY);
  });
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "file") {
      if (target.files && target.files.length) {
        filesToSend[target.name] = true;
        schedule(0);
      }
      return;
    }
    schedule(target.type === "text" || target.tagName === "TEXTAREA" ? DELAY : 0);
  });
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.hasAttribute("data-confirm")
        && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    if (timer) window.clearTimeout(timer);  // the form itself carries every value now
    timer = null;
  });
})();
