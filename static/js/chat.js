/*
 * Staff side of the chat: the toolbar panel "ATENDIMENTO ON-LINE", its rows, the contact gate dialog
 * (EST-000206) and small helpers of the chat window. No framework, no inline script (CSP).
 *
 * realtime.js pushes changes at once and calls window.AtendeChat.refreshPanel() / setBadge(n);
 * the 5-minute refresh and the "Atualizar" button stay as the fallback (S13).
 */
(function () {
  "use strict";

  var REFRESH_MS = 5 * 60 * 1000;
  var gettext = window.gettext || function (text) { return text; };
  var FAILED = gettext("Não foi possível atualizar agora. Tente novamente em instantes.");
  var icon = document.getElementById("chat-icon");
  var panel = document.getElementById("chat-panel");
  // On the panel's own page (the no-JavaScript target of the icon) the panel is the page, not a popover.
  var popover = Boolean(panel && !panel.classList.contains("chat-panel-page"));
  var loading = null;
  var gateOpener = null;
  var UNREAD_ONE = "1 atendimento com mensagem não lida";
  var UNREAD_MANY = "{n} atendimentos com mensagem não lida";

  function setBadge(n) {
    var badge = document.getElementById("chat-badge");
    var count = Math.max(0, parseInt(n, 10) || 0);
    if (!badge) {
      return;
    }
    var before = badge.hidden ? 0 : parseInt(badge.textContent, 10) || 0;
    badge.textContent = String(count);
    badge.hidden = count === 0;
    // The red badge is a status message (WCAG 4.1.3): a new unread reply is said, not only shown.
    var status = document.getElementById("chat-badge-status");
    if (status && count !== before) {
      status.textContent = count > before ? (count === 1 ? UNREAD_ONE : UNREAD_MANY.replace("{n}", count)) : "";
    }
  }

  function gateDialog() {
    return document.getElementById("gate-dialog");
  }

  function enhance(root) {
    // With JavaScript the row itself is the tab stop (Enter / double click); its link would be a second one.
    Array.prototype.forEach.call(root.querySelectorAll(".ticket-row a"), function (link) {
      link.tabIndex = -1;
    });
    var body = root.querySelector("[data-unread]");
    if (body) {
      setBadge(body.getAttribute("data-unread"));
    }
  }

  function refreshPanel() {
    var dialog = gateDialog();
    if (!panel || (dialog && dialog.open)) {
      return Promise.resolve();
    }
    if (loading) {
      return loading;
    }
    var focusedNumber = document.activeElement && panel.contains(document.activeElement)
      ? document.activeElement.getAttribute("data-number") : null;
    loading = fetch(panel.getAttribute("data-url"), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.text();
    }).then(function (html) {
      panel.innerHTML = html;
      enhance(panel);
      if (focusedNumber) {
        var row = panel.querySelector('.ticket-row[data-number="' + focusedNumber + '"]');
        if (row) {
          row.focus();
        }
      }
    }).catch(function () {
      var status = panel.querySelector("[data-panel-status]");
      if (status) {
        status.textContent = FAILED;
      }
    }).then(function () {
      loading = null;
    });
    return loading;
  }

  function openPanel() {
    if (!panel) {
      return;
    }
    panel.hidden = false;
    icon.setAttribute("aria-expanded", "true");
    refreshPanel().then(function () {
      var first = panel.querySelector(".ticket-row, [data-open-chat]");
      if (first) {
        first.focus();
      }
    });
  }

  function closePanel(returnFocus) {
    if (!popover || panel.hidden) {
      return;
    }
    panel.hidden = true;
    icon.setAttribute("aria-expanded", "false");
    if (returnFocus) {
      icon.focus();
    }
  }

  function showGate(opener) {
    var dialog = gateDialog();
    if (!dialog || typeof dialog.showModal !== "function") {
      return false;
    }
    gateOpener = opener || null;
    dialog.showModal();
    var ok = dialog.querySelector("[data-gate-ok]");
    if (ok) {
      ok.focus();
    }
    return true;
  }

  function gateMissing(element) {
    var body = element.closest("[data-gate]");
    return body && body.getAttribute("data-gate") === "missing";
  }

  function openTicket(row) {
    if (gateMissing(row) && showGate(row)) {
      return;
    }
    window.location.href = row.getAttribute("data-url") || "/chat/atendimentos/" + row.getAttribute("data-number") + "/";
  }

  // Keep Tab inside the modal dialog: the page behind is inert, this keeps the browser chrome out too.
  function trapTab(event, dialog) {
    var items = Array.prototype.filter.call(
      dialog.querySelectorAll("a[href], button:not([disabled]), summary, [tabindex]:not([tabindex='-1'])"),
      function (el) { return el.offsetParent !== null; }
    );
    if (!items.length) {
      return;
    }
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (popover && icon && icon.contains(target)) {
      event.preventDefault();
      if (panel.hidden) {
        openPanel();
      } else {
        closePanel(false);
      }
      return;
    }
    if (target.closest("[data-panel-close]")) {
      closePanel(true);
      return;
    }
    var refresh = target.closest("[data-panel-refresh]");
    if (refresh && panel && panel.contains(refresh)) {
      event.preventDefault();
      refreshPanel();
      return;
    }
    var openChat = target.closest("[data-open-chat]");
    if (openChat && gateMissing(openChat) && showGate(openChat)) {
      event.preventDefault();
      return;
    }
    if (popover && !panel.hidden && !panel.contains(target) && !(gateDialog() && gateDialog().open)) {
      closePanel(false);
    }
  });

  document.addEventListener("dblclick", function (event) {
    var row = event.target.closest(".ticket-row");
    if (row) {
      openTicket(row);
    }
  });

  document.addEventListener("keydown", function (event) {
    var dialog = gateDialog();
    if (dialog && dialog.open) {
      if (event.key === "Tab") {
        trapTab(event, dialog);
      }
      return; // Esc closes the modal dialog natively.
    }
    var isRow = event.target.classList && event.target.classList.contains("ticket-row");
    if (isRow && event.key === "Enter") {
      event.preventDefault();
      openTicket(event.target);
      return;
    }
    if (isRow && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      var rows = Array.prototype.slice.call(event.target.closest("table").querySelectorAll(".ticket-row"));
      var next = rows[rows.indexOf(event.target) + (event.key === "ArrowDown" ? 1 : -1)];
      if (next) {
        event.preventDefault();
        next.focus();
      }
      return;
    }
    if (event.key === "Escape" && popover && !panel.hidden) {
      closePanel(true);
      return;
    }
    if (event.ctrlKey && event.shiftKey && (event.key === "F" || event.key === "f")) {
      var search = document.getElementById("erp-search");
      if (search) {
        event.preventDefault();
        search.focus();
      }
      return;
    }
    // Ctrl+Enter sends the message being typed.
    if (event.key === "Enter" && event.ctrlKey && event.target.form && event.target.tagName === "TEXTAREA") {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  });

  document.addEventListener("close", function (event) {
    if (event.target.id === "gate-dialog" && gateOpener && document.contains(gateOpener)) {
      gateOpener.focus();
    }
  }, true);

  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  enhance(document);
  setInterval(function () {
    if (!document.hidden) {
      refreshPanel();
    }
  }, REFRESH_MS);

  window.AtendeChat = { refreshPanel: refreshPanel, setBadge: setBadge };
}());
