// Admin conversation page: the scheduling date and time only matter for "Agendado".
// Without this script both fields stay visible and the server still asks for them.
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

  document.addEventListener("DOMContentLoaded", function () {
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
