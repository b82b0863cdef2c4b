/* Haat storefront: small enhancements on top of pages that work without JavaScript.
   - add-to-cart forms post with fetch and update the header cart in place;
   - sort/filter controls apply on change;
   - a product's variant picker updates the shown price and stock;
   - product videos load the provider's player only when the shopper asks. */
(function () {
  "use strict";

  function announce(text, isError) {
    var box = document.querySelector("[data-cart-message]");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    box.className = "flash flash-live" + (isError ? " flash-error" : "");
  }

  function updateHeader(data) {
    document.querySelectorAll("[data-cart-count]").forEach(function (el) {
      el.textContent = data.count_display;
    });
    document.querySelectorAll("[data-cart-total]").forEach(function (el) {
      el.textContent = data.total_display;
    });
  }

  document.querySelectorAll("form.add-to-cart").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch) return;
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (result.ok) {
          updateHeader(result.data);
          announce(result.data.message, false);
        } else {
          announce(result.data.error, true);
        }
      }).catch(function () {
        form.submit();  // fall back to the ordinary post
      }).finally(function () {
        if (button) button.disabled = false;
      });
    });
  });

  document.querySelectorAll("[data-autosubmit]").forEach(function (control) {
    control.addEventListener("change", function () { control.form.submit(); });
  });

  document.querySelectorAll("[data-variant-select]").forEach(function (select) {
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var price = document.querySelector("[data-price-block] [data-price]");
      if (price && option.dataset.price) price.textContent = option.dataset.price;
      var quantity = select.form.querySelector("input[name=quantity]");
      if (quantity) quantity.max = Math.max(1, Math.min(99, parseInt(option.dataset.stock, 10) || 1));
    });
  });

  document.querySelectorAll("[data-video-embed]").forEach(function (box) {
    var link = box.querySelector(".video-link");
    if (!link) return;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var frame = document.createElement("iframe");
      frame.src = box.dataset.videoEmbed + (box.dataset.videoEmbed.indexOf("?") < 0 ? "?" : "&") + "autoplay=1";
      frame.title = link.textContent;
      frame.allow = "autoplay; encrypted-media; picture-in-picture";
      frame.allowFullscreen = true;
      frame.loading = "lazy";
      box.replaceChild(frame, link);
    });
  });
})();
