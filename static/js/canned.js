/*
 * Issue 14: canned replies ("Respostas prontas") in the admin's reply box. Typing "/" and a few letters
 * of a title lists the matches (a listbox the box controls, aria-activedescendant on the box); the
 * arrows choose, Enter puts the reply (filled by the server for this ticket) in place of "/letters",
 * Escape closes. Texts are inserted with textContent and into the box's value only.
 */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, count) { return count === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return values[match.slice(2, -2)]; });
  };
  var TRIGGER = /(^|\s)\/([^\s\/]{0,40})$/; // "/" at a word's start and the letters typed after it
  var MAX_SHOWN = 8;

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function start() {
    var data = document.getElementById("canned-replies");
    var box = document.getElementById("message-body");
    var list = document.getElementById("canned-list");
    var status = document.getElementById("canned-status");
    if (!data || !box || !list) {
      return;
    }
    var replies = JSON.parse(data.textContent);
    var shown = [];
    var active = -1;
    var trigger = null; // {start, end} of "/letters" in the box

    function close() {
      list.hidden = true;
      list.textContent = "";
      shown = [];
      active = -1;
      trigger = null;
      box.removeAttribute("aria-activedescendant");
    }

    function setActive(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (option, position) {
        option.setAttribute("aria-selected", position === index ? "true" : "false");
      });
      var option = list.children[index];
      if (option) {
        box.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    }

    function open(query, found) {
      list.textContent = "";
      shown = found.slice(0, MAX_SHOWN);
      shown.forEach(function (reply, index) {
        var option = document.createElement("li");
        option.id = "canned-option-" + reply.id;
        option.setAttribute("role", "option");
        var title = document.createElement("span");
        title.className = "canned-title";
        title.textContent = reply.title;
        option.appendChild(title);
        option.appendChild(document.createTextNode(" \u2014 " + reply.text.slice(0, 80)));
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
          choose(index);
        });
        list.appendChild(option);
      });
      list.hidden = shown.length === 0;
      setActive(shown.length ? 0 : -1);
      if (status) {
        status.textContent = shown.length
          ? interpolate(ngettext("%(count)s resposta pronta encontrada.", "%(count)s respostas prontas encontradas.", shown.length), { count: shown.length }, true)
          : gettext("Nenhuma resposta pronta com esse título.");
      }
    }

    function choose(index) {
      var reply = shown[index];
      if (!reply || !trigger) {
        return;
      }
      var value = box.value;
      box.value = value.slice(0, trigger.start) + reply.text + value.slice(trigger.end);
      var caret = trigger.start + reply.text.length;
      close();
      box.setSelectionRange(caret, caret);
      box.focus();
      if (status) {
        status.textContent = interpolate(gettext("Resposta pronta “%(title)s” inserida."), { title: reply.title }, true);
      }
      // The counter and the typing indicator follow the new text.
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }

    box.addEventListener("input", function () {
      var caret = box.selectionEnd;
      var before = box.value.slice(0, caret);
      var match = TRIGGER.exec(before);
      if (!match) {
        close();
        return;
      }
      var query = fold(match[2]);
      trigger = { start: caret - match[2].length - 1, end: caret };
      open(query, replies.filter(function (reply) {
        return fold(reply.title).indexOf(query) !== -1;
      }));
    });

    box.addEventListener("keydown", function (event) {
      if (list.hidden || !shown.length) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        setActive((active + step + shown.length) % shown.length);
      } else if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        event.stopPropagation();
        choose(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      } else if (event.key === "Tab") {
        close();
      }
    });
    box.addEventListener("blur", close);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
