/* Haat storefront: small enhancements on top of pages that work without JavaScript.
   - add-to-cart forms post with fetch and update the header cart in place;
   - sort/filter controls apply on change;
   - a product's variant picker updates the shown price and stock, and shows the
     variant's own photo as the main one;
   - product videos load the provider's player only when the shopper asks;
   - search boxes suggest products as the shopper types (/search/suggest);
   - checkout recomputes delivery, payment and the summary when a choice changes. */
(function () {
  "use strict";

  /* What an add-to-cart form did: in the form's own live region ([data-cart-message]
     next to its button, with a link on to the cart) when it has one, else in the
     layout's, under the header. */
  function announce(form, text, isError) {
    var box = form.querySelector("[data-cart-message]");
    if (!box) {
      box = document.querySelector("[data-cart-message]");
      if (!box) return;
      box.textContent = text;
      box.hidden = false;
      box.className = "flash flash-live" + (isError ? " flash-error" : "");
      return;
    }
    var message = document.createElement("p");
    message.className = "flash " + (isError ? "flash-error" : "flash-success");
    message.textContent = text;
    box.textContent = "";  // emptied first, so that the same text again is said again
    window.setTimeout(function () {
      box.appendChild(message);
      if (!isError && box.dataset.cartUrl) {
        var link = document.createElement("a");
        link.className = "cart-feedback-link";
        link.href = box.dataset.cartUrl;
        link.textContent = box.dataset.cartLink || "";
        box.appendChild(link);
      }
      // A button tapped at the bottom edge of the screen: bring the message up into view.
      if (box.scrollIntoView) box.scrollIntoView({ block: "nearest" });
    }, 50);
  }

  function updateHeader(data) {
    document.querySelectorAll("[data-cart-count]").forEach(function (el) {
      el.textContent = data.count_display;
    });
    document.querySelectorAll("[data-cart-total]").forEach(function (el) {
      el.textContent = data.total_display;
    });
  }

  /* A page drawn for a visitor without a session carries empty csrf_token fields (the
     server checks such a visitor's post by its origin). Once they have a session it
     wants the token: the server's JSON answers carry it, and it goes in every form. */
  function updateTokens(data) {
    if (!data || !data.csrf_token) return;
    document.querySelectorAll("input[name=csrf_token]").forEach(function (input) {
      input.value = data.csrf_token;
    });
  }

  function refreshFromServer() {
    return fetch("/cart.json", { headers: { "Accept": "application/json" },
                                 credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data) { updateHeader(data); updateTokens(data); }
        return data;
      });
  }

  /* A page shown again from the back-forward cache: its header and tokens may be old. */
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && window.fetch) refreshFromServer().catch(function () {});
  });

  function postCart(form) {
    return fetch(form.getAttribute("action"), {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    });
  }

  document.querySelectorAll("form.add-to-cart").forEach(function (form) {
    form.querySelectorAll("[data-show-option]").forEach(function (b) { b.hidden = true; });
    form.addEventListener("submit", function (event) {
      if (!window.fetch) return;
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      var token = form.querySelector("input[name=csrf_token]");
      postCart(form).catch(function (error) {
        // Refused without JSON: an empty token from a page drawn before this visitor
        // had a session (another tab gave them one). Fetch the token and try once more.
        if (!token || token.value) throw error;
        return refreshFromServer().then(function (data) {
          if (!data || !data.csrf_token) throw error;
          return postCart(form);
        });
      }).then(function (result) {
        if (result.ok) {
          updateHeader(result.data);
          updateTokens(result.data);
          announce(form, result.data.message, false);
        } else {
          announce(form, result.data.error, true);
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

  /* A variant's own photo (data-image on its <option>, the id of one of the gallery's
     figures) becomes the gallery's main one, as the server draws the page for
     ?variant=; the photo that was main moves back among the others. */
  function showVariantImage(imageId) {
    var gallery = document.querySelector("[data-gallery]");
    if (!gallery || !imageId) return;
    var figure = gallery.querySelector("figure[data-image-id='" + imageId + "']");
    var main = gallery.querySelector("figure.gallery-main");
    if (!figure || figure === main) return;
    if (main) {
      main.classList.remove("gallery-main");
      main.classList.add("gallery-thumb");
    }
    figure.classList.remove("gallery-thumb");
    figure.classList.add("gallery-main");
    gallery.insertBefore(figure, gallery.firstChild);
    var img = figure.querySelector("img");
    if (img) { img.loading = "eager"; }
  }

  /* The variant picker: the price and the stock shown follow the option chosen (each
     <option> carries its own, rendered by the server), and so does the address, so that
     a reload or a shared link shows the same option (?variant=). */
  document.querySelectorAll("[data-variant-select]").forEach(function (select) {
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      showVariantImage(option.dataset.image);
      var price = document.querySelector("[data-price-block]");
      if (price && option.dataset.priceHtml) {
        price.innerHTML = option.dataset.priceHtml;  // the server's own markup for it
      } else if (price && option.dataset.price) {
        var amount = price.querySelector("[data-price]");
        if (amount) amount.textContent = option.dataset.price;
      }
      var stock = document.querySelector("[data-stock]:not(option)");
      if (stock && option.dataset.stockText) {
        var badge = document.createElement("span");
        badge.className = "stock stock-" + (option.dataset.stockState || "in");
        badge.textContent = option.dataset.stockText;
        stock.textContent = "";
        stock.appendChild(badge);
      }
      var add = select.form.querySelector("[data-add-label]");
      if (add && !option.disabled && add.disabled) {  // from a sold-out option (?variant=)
        add.disabled = false;
        add.textContent = add.dataset.addLabel;
      }
      var quantity = select.form.querySelector("input[name=quantity]");
      // A text box (Bengali digits), so the most one can add is data, not `max`.
      if (quantity) quantity.dataset.max = Math.max(1, Math.min(99, parseInt(option.dataset.stock, 10) || 1));
      if (window.history && window.history.replaceState && window.URL) {
        var url = new URL(window.location.href);
        url.searchParams.set("variant", option.value);
        url.hash = "";
        window.history.replaceState(window.history.state, "", url.toString());
      }
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

  function suggestBox(input) {
    var list = document.createElement("ul");
    var id = "suggest-" + Math.random().toString(36).slice(2);
    var timer = null, active = -1, lastQuery = "";
    list.id = id;
    list.className = "search-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    input.parentNode.insertBefore(list, input.nextSibling);

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function choose(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (index + options.length) % options.length;
      options.forEach(function (o, i) { o.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", options[active].id);
    }
    function show(products) {
      list.textContent = "";
      products.forEach(function (product, i) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        item.id = id + "-" + i;
        item.setAttribute("role", "option");
        link.href = product.url;
        link.tabIndex = -1;
        link.innerHTML = product.highlighted || "";  // sanitised by the server: <mark> only
        if (!product.highlighted) link.textContent = product.title;
        var price = document.createElement("span");
        price.className = "suggest-price";
        price.textContent = product.price;
        link.appendChild(price);
        item.appendChild(link);
        list.appendChild(item);
      });
      list.hidden = !products.length;
      input.setAttribute("aria-expanded", products.length ? "true" : "false");
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var query = input.value.trim();
      if (query.length < 2) { close(); return; }
      timer = setTimeout(function () {
        lastQuery = query;
        fetch("/search/suggest?q=" + encodeURIComponent(query), { headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { products: [] }; })
          .then(function (data) { if (lastQuery === query) show(data.products || []); })
          .catch(close);
      }, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); choose(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); choose(active - 1); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location = list.querySelectorAll("[role=option] a")[active].href;
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  if (window.fetch) {
    document.querySelectorAll("form.search-form input[name=q], input[data-suggest]").forEach(suggestBox);
  }
  /* Checkout errors: once the shopper has put a field right, its error goes (the
     server checks everything again when the order is placed). "Right" follows the
     server's rules in core/checkout/form.py loosely: filled in, an email with an @ and
     a dot after it, a phone of digits (Bengali digits too) and spaces, ( ) and -;
     phone and email are one requirement, so filling in either clears "enter one". */
  var EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
  var PHONE = /^\+?[0-9\u09e6-\u09ef][0-9\u09e6-\u09ef ()\-]{5,24}$/;

  function looksRight(field) {
    var value = (field.value || "").trim();
    if (field.type === "radio" || field.type === "checkbox") return field.checked;
    if (field.name === "email") return EMAIL.test(value);
    if (field.name === "phone") return PHONE.test(value);
    return value !== "";
  }

  function clearError(field) {
    var ids = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    var kept = ids.filter(function (id) {
      var error = document.getElementById(id);
      if (error && error.classList.contains("field-error")) { error.remove(); return false; }
      return true;
    });
    field.removeAttribute("aria-invalid");
    if (kept.length) field.setAttribute("aria-describedby", kept.join(" "));
    else field.removeAttribute("aria-describedby");
    var box = field.closest(".field");
    if (box && !box.querySelector("[aria-invalid=true]")) box.classList.remove("has-error");
  }

  function clearFixed(form, field) {
    if (!field || !field.name) return;
    if (field.getAttribute("aria-invalid") === "true" && looksRight(field)) clearError(field);
    if (field.name === "email") {
      var phone = form.querySelector("input[name=phone][aria-invalid=true]");
      if (phone && !phone.value.trim() && looksRight(field)) clearError(phone);
    }
  }

  /* Checkout: post the form as "update" on each change and swap in the parts the
     server worked out again (delivery options, ways to pay, the summary). */
  document.querySelectorAll("form[data-checkout]").forEach(function (form) {
    if (!window.fetch || !window.DOMParser) return;
    var pending = null;
    form.querySelectorAll("[data-update-button]").forEach(function (b) { b.hidden = true; });
    // While the server works the summary out again, the order cannot be placed with
    // choices it has not seen (a delivery option of the address before the change). A
    // tap on "Place order" in that moment (typing the city, then tapping the button,
    // changes the city as the button is pressed) is kept, and carried out once the
    // summary is back, if the total did not change; a changed total is shown instead.
    var queued = null;
    function placeButtons(busy) {
      form.querySelectorAll("button[value=place]").forEach(function (b) {
        if (busy) b.setAttribute("aria-disabled", "true"); else b.removeAttribute("aria-disabled");
      });
    }
    function totalNow() {
      var input = form.querySelector("input[name=expected_total]");
      return input ? input.value : "";
    }
    function placeQueued() {
      var total = queued;
      queued = null;
      var button = form.querySelector("button[value=place]");
      if (total === null || !button || total !== totalNow()) return;
      if (form.requestSubmit) form.requestSubmit(button); else button.click();
    }
    function refresh() {
      var body = new FormData(form);
      body.set("action", "update");
      placeButtons(true);
      if (pending) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      // Not form.action: the form's buttons are named "action" and would shadow it.
      fetch(form.getAttribute("action"), {method: "POST", body: body, credentials: "same-origin",
                          signal: pending ? pending.signal : undefined})
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          var focused = document.activeElement && document.activeElement.id;
          form.querySelectorAll("[data-dynamic]").forEach(function (part) {
            var next = fresh.getElementById(part.id);
            if (next) part.replaceWith(document.importNode(next, true));
          });
          form.querySelectorAll("[data-update-button]").forEach(function (b) { b.hidden = true; });
          placeButtons(false);
          if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
          placeQueued();
        })
        .catch(function (error) {
          // Aborted for a newer refresh: that one re-enables. Otherwise the server's own
          // checks at placing remain.
          if (!error || error.name !== "AbortError") { placeButtons(false); placeQueued(); }
        });
    }
    form.addEventListener("input", function (event) { clearFixed(form, event.target); });
    form.addEventListener("change", function (event) {
      clearFixed(form, event.target);
      var name = event.target && event.target.name;
      if (["country", "region", "city", "shipping_rate", "payment_method", "coupon"].indexOf(name) >= 0) refresh();
    });
    form.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("button[value=update]");
      if (button) { event.preventDefault(); refresh(); }
      var place = event.target.closest && event.target.closest("button[value=place]");
      if (place && place.getAttribute("aria-disabled") === "true") {
        event.preventDefault();
        if (queued === null) queued = totalNow();
      }
    });
  });
})();
