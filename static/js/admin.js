// Every admin page (loaded by templates/admin/base_site.html).
// Conversation page: the scheduling date and time only matter for "Agendado"; without this script
// both fields stay visible and the server still asks for them.
// Autocomplete fields (the phone ticket's requester, a person's user): named by their own label.
(function () {
  "use strict";

  function setUpStatusForm(form) {
    var select = form.querySelector("select[name=status]");
    var fields = form.querySelector(".schedule-fields");
    if (!select || !fields) {
      return;
    }
    var scheduled = form.getAttribute("data-scheduled");
    function sync() {
      var show = select.value === scheduled;
      fields.hidden = !show;
      fields.querySelectorAll("input").forEach(function (input) {
        input.required = show;
      });
    }
    select.addEventListener("change", sync);
    sync();
  }

  function setUpReplyShortcut(form) {
    var body = form.querySelector("textarea[name=body]");
    if (!body) {
      return;
    }
    // Ctrl+Enter sends, as in most chat tools; Enter alone keeps writing on a new line.
    body.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (typeof form.requestSubmit === "function") {
          form.requestSubmit();
        } else {
          form.submit();
        }
      }
    });
  }

  /*
   * Django's autocomplete draws a select2 combobox next to the hidden <select>. select2 4.0 names the
   * combobox by its current value only (nothing while empty), leaves its search field without a name
   * and omits aria-controls while open (WCAG 4.1.2). The <select>'s own <label> names all three.
   */
  function nameAutocomplete($, select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    var widget = select.nextElementSibling;
    if (!label || !widget || !widget.classList.contains("select2")) {
      return;
    }
    if (!label.id) {
      label.id = select.id + "-label";
    }
    var combobox = widget.querySelector(".select2-selection");
    var value = widget.querySelector(".select2-selection__rendered");
    if (!combobox || !value) {
      return;
    }
    combobox.setAttribute("aria-labelledby", label.id + (value.id ? " " + value.id : ""));
    value.setAttribute("aria-labelledby", label.id);
    $(select).on("select2:open", function () {
      var results = document.querySelector(".select2-container--open .select2-results__options");
      if (results && results.id) {
        combobox.setAttribute("aria-controls", results.id);
      }
      var search = document.querySelector(".select2-container--open .select2-search__field");
      if (search) {
        search.setAttribute("aria-label", "Pesquisar: " + label.textContent.replace(/:\s*$/, "").trim());
      }
    });
    $(select).on("select2:close", function () {
      combobox.removeAttribute("aria-controls");
    });
  }

  function nameAutocompletes($, root) {
    $(root)
      .find("select.admin-autocomplete")
      .not("[name*=__prefix__]")
      .each(function (index, select) {
        nameAutocomplete($, select);
      });
  }

  // Django's autocomplete.js sets select2 up when jQuery is ready and when a formset row is added;
  // these handlers are registered after its own, so they run after it.
  if (window.django && window.django.jQuery) {
    var $ = window.django.jQuery;
    $(function () {
      nameAutocompletes($, document);
    });
    document.addEventListener("formset:added", function (event) {
      nameAutocompletes($, event.target);
    });
  }

  // A tabular inline wider than a phone scrolls sideways: the keyboard must reach it (WCAG 2.1.1), so the
  // scrolling box takes the focus and is named after its section.
  function focusableScrollers() {
    document.querySelectorAll(".inline-group .wrapper").forEach(function (box) {
      if (box.hasAttribute("tabindex")) {
        return;
      }
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      var heading = box.closest(".inline-group").querySelector("h2");
      if (heading) {
        box.setAttribute("aria-label", heading.textContent.trim());
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusableScrollers();
    var statusForm = document.getElementById("status-form");
    if (statusForm) {
      setUpStatusForm(statusForm);
    }
    var messageForm = document.getElementById("message-form");
    if (messageForm) {
      setUpReplyShortcut(messageForm);
    }
  });
})();
