/*
 * The dialog of a conversation (staff chat window and the attendant's page in the admin): where its
 * lines go. The lines come rendered by the server (templates/tickets/_message.html), from the socket
 * (realtime.js) or from the answer to a send (send.js); this file only places them:
 *   - in id order, each once (keyed by data-id); a saved line takes the place of the "Enviando…" line
 *     of the same send (data-key);
 *   - with a day separator ("Hoje", "Ontem", "02/12/2026") where a day starts, as tickets/_dialog.html draws it;
 *   - in sight: the dialog opens at its newest line; a line arriving while the reader is at (or near)
 *     the bottom scrolls into view, otherwise "Novas mensagens (N)" appears and scrolls down when pressed.
 */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return values[match.slice(2, -2)]; });
  };
  var NEAR_BOTTOM = 48; // px: "at the bottom" for a reader who scrolled almost all the way

  var dialog = null;
  var box = null;
  var button = null;
  var unseen = 0;

  function atBottom() {
    return box.scrollHeight - box.scrollTop - box.clientHeight <= NEAR_BOTTOM;
  }

  function scrollToEnd() {
    box.scrollTop = box.scrollHeight;
    unseen = 0;
    showButton();
  }

  function showButton() {
    if (!button) {
      return;
    }
    button.hidden = unseen === 0;
    button.textContent = interpolate(gettext("Novas mensagens (%(count)s)"), { count: unseen }, true);
  }

  function idOf(node) {
    return Number(node.getAttribute("data-id")) || 0;
  }

  // One separator before the first line of each day, none anywhere else (lines may come out of order).
  function fixSeparators() {
    var lastDay = null;
    Array.prototype.slice.call(dialog.children).forEach(function (node) {
      if (node.classList.contains("day-separator")) {
        var next = node.nextElementSibling;
        var day = node.getAttribute("data-day");
        if (next && !next.classList.contains("day-separator") && next.getAttribute("data-day") === day && day !== lastDay) {
          lastDay = day;
        } else {
          dialog.removeChild(node);
        }
        return;
      }
      var lineDay = node.getAttribute("data-day");
      if (!lineDay) {
        return; // a line still being sent: it is today's, drawn after the others
      }
      if (lineDay !== lastDay) {
        var separator = document.createElement("li");
        separator.className = "day-separator";
        separator.setAttribute("data-day", lineDay);
        var label = document.createElement("span");
        label.className = "day-label";
        label.textContent = node.getAttribute("data-day-label") || lineDay;
        separator.appendChild(label);
        dialog.insertBefore(separator, node);
      }
      lastDay = lineDay;
    });
  }

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = String(html).trim();
    var item = template.content.firstElementChild;
    return item && item.hasAttribute("data-id") ? item : null;
  }

  /*
   * Place a line rendered by the server. `own`: the reader just sent it, so it is shown whatever the
   * scroll position. Returns the line, or null when it was already shown.
   */
  function insert(html, own) {
    var item = parse(html);
    if (!dialog || !item) {
      return null;
    }
    var id = idOf(item);
    var key = item.getAttribute("data-key");
    var pending = key ? dialog.querySelector('.msg-pending[data-key="' + key + '"]') : null;
    if (dialog.querySelector('[data-id="' + id + '"]')) {
      if (pending) {
        pending.parentNode.removeChild(pending);
      }
      return null;
    }
    var follow = own || Boolean(pending) || atBottom();
    var lines = dialog.querySelectorAll("[data-id], .msg-pending");
    var before = Array.prototype.find.call(lines, function (node) {
      return node.classList.contains("msg-pending") ? node !== pending : idOf(node) > id;
    });
    if (pending) {
      pending.parentNode.removeChild(pending);
    }
    dialog.insertBefore(item, before || null);
    if (id > (Number(dialog.getAttribute("data-last-id")) || 0)) {
      dialog.setAttribute("data-last-id", String(id));
    }
    fixSeparators();
    // marks.js hides "… está digitando…" when that side's line arrives and moves "Visto".
    document.dispatchEvent(new CustomEvent("atende:line", { detail: item }));
    if (follow) {
      scrollToEnd();
    } else {
      unseen += 1;
      showButton();
    }
    return item;
  }

  // A line of the reader's own that the server has not saved yet (send.js): always at the end, in sight.
  function addPending(item) {
    if (!dialog) {
      return;
    }
    dialog.appendChild(item);
    scrollToEnd();
  }

  function lastId() {
    var ids = Array.prototype.map.call(dialog.querySelectorAll("[data-id]"), idOf);
    return Math.max.apply(null, [Number(dialog.getAttribute("data-last-id")) || 0].concat(ids));
  }

  function start() {
    dialog = document.getElementById("dialog");
    box = dialog && (dialog.closest(".dialog-box") || dialog);
    if (!dialog) {
      return;
    }
    button = document.createElement("button");
    button.type = "button";
    button.className = "new-messages";
    button.hidden = true;
    button.addEventListener("click", function () {
      scrollToEnd();
      box.focus({ preventScroll: true });
    });
    box.parentNode.insertBefore(button, box.nextSibling);
    box.addEventListener("scroll", function () {
      if (unseen && atBottom()) {
        unseen = 0;
        showButton();
      }
    });
    scrollToEnd();
  }

  window.AtendeDialog = {
    insert: insert,
    addPending: addPending,
    lastId: lastId,
    scrollToEnd: function () {
      if (dialog) {
        scrollToEnd();
      }
    },
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
