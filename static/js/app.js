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
  // 指标分解: a form with data-split shows, as units' targets are typed, their sum (or lowest) and the gap to the
  // whole (data-whole). Display only: the server adds the Decimals and decides whether the split covers the whole.
  function splitTotals(form) {
    var inputs = form.querySelectorAll("input[data-split-unit]");
    var places = parseInt(form.getAttribute("data-places") || "0", 10);
    var sums = form.getAttribute("data-split") === "sum";
    var total = null, scaleBy = Math.pow(10, Math.max(places, 4));
    for (var i = 0; i < inputs.length; i++) {
      var text = inputs[i].value.replace(/[,，\s]/g, "");
      if (text === "" || isNaN(Number(text))) { continue; }
      var v = Math.round(Number(text) * scaleBy);
      total = total === null ? v : (sums ? total + v : Math.min(total, v));
    }
    var whole = form.getAttribute("data-whole");
    var out = form.querySelector("[data-split-total]");
    var gapOut = form.querySelector("[data-split-gap]");
    if (out) { out.textContent = total === null ? "—" : (total / scaleBy).toFixed(places); }
    if (gapOut) {
      gapOut.textContent = (total === null || whole === "") ? "—" :
        ((Math.round(Number(whole) * scaleBy) - total) / scaleBy).toFixed(places);
    }
  }
  document.addEventListener("input", function (event) {
    var form = event.target.closest("form[data-split]");
    if (form) { splitTotals(form); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-split]");
    for (var i = 0; i < forms.length; i++) { splitTotals(forms[i]); }
  });
})();
