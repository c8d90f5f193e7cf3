/* "Mostrar" in "Mais Informações": asks the server for the whole CPF and contacts (the request is what
   records the access) and puts them in place of the masked cells. Without JavaScript the form opens
   the same answer as a page. */
(function () {
  "use strict";

  function reveal(form) {
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        var answer = new DOMParser().parseFromString(html, "text/html");
        var list = form.closest("dl");
        ["document", "contacts"].forEach(function (name) {
          var fresh = answer.querySelector('#revealed [data-reveal="' + name + '"]');
          var cell = list.querySelector('[data-reveal="' + name + '"]');
          if (fresh && cell) {
            cell.textContent = "";
            Array.prototype.forEach.call(fresh.childNodes, function (node) {
              cell.appendChild(document.importNode(node, true));
            });
          }
        });
        var done = form.closest("dd");
        done.previousElementSibling.remove();
        done.remove();
        var cpf = list.querySelector('[data-reveal="document"]');
        cpf.setAttribute("tabindex", "-1");
        cpf.focus();
      })
      .catch(function () {
        form.submit();
      });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-reveal-form]"), function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        reveal(form);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
