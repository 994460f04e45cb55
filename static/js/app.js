// Small behaviours every page may use; pages work without them (the server asks the same questions itself).
(function () {
  "use strict";
  // A button with data-confirm asks before its form is sent; once asked, the server does not ask again.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !button.form) { return; }
    if (!button.hasAttribute("data-confirm")) {
      // Another button of the same form: a question answered for the first one does not answer for it.
      var stale = button.form.querySelector("input[name=confirmed][data-by-script]");
      if (stale) { stale.parentNode.removeChild(stale); }
      return;
    }
    var question = button.getAttribute("data-confirm");
    // data-confirm-choice="name": the question names the option chosen in the form's <select name="name">.
    var choice = button.getAttribute("data-confirm-choice");
    var select = choice ? button.form.querySelector("select[name=" + choice + "]") : null;
    if (select && select.selectedIndex >= 0) {
      question = question.replace("{choice}", select.options[select.selectedIndex].text);
    }
    if (!window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    var flag = button.form.querySelector("input[name=confirmed]");
    if (!flag) {
      flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "confirmed";
      flag.setAttribute("data-by-script", "1");
      button.form.appendChild(flag);
    }
    flag.value = "1";
  }, true);
  // A checkbox with data-select-all="name" ticks every checkbox of that name in its form.
  document.addEventListener("change", function (event) {
    var all = event.target.closest("input[data-select-all]");
    if (!all || !all.form) { return; }
    var boxes = all.form.querySelectorAll("input[type=checkbox][name=" + all.getAttribute("data-select-all") + "]");
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = all.checked; }
  });
})();
