/* The occupation autocomplete widget (lotse/occupations/forms.py).
 *
 * htmx fills the suggestions; this script makes choosing one work like a form
 * control: the chosen code goes into the hidden input and is confirmed in the
 * live region, typing again clears it (a code never stays beside a title it
 * was not chosen for), and the keyboard moves between field and suggestions
 * (arrow keys, Escape) and comes back to the field after a choice. Listeners are
 * delegated to the document, so widgets swapped in later work too.
 */
(function () {
  "use strict";
  if (window.lotseOccupationAutocomplete) return;
  window.lotseOccupationAutocomplete = true;

  function widgetOf(element) {
    return element instanceof Element ? element.closest(".occupation-autocomplete") : null;
  }
  function field(widget) { return widget.querySelector("input:not([type=hidden])"); }
  function code(widget) { return widget.querySelector("input[type=hidden]"); }
  function results(widget) { return widget.querySelector(".autocomplete-results"); }
  function suggestions(widget) { return Array.from(widget.querySelectorAll("button[data-kldb5]")); }

  function choose(button) {
    var widget = widgetOf(button);
    // Suggestions still on their way for what was typed before must not replace the choice.
    if (window.htmx) window.htmx.trigger(field(widget), "htmx:abort");
    code(widget).value = button.dataset.kldb5;
    field(widget).value = button.dataset.title;
    var confirmation = document.createElement("p");
    confirmation.className = "autocomplete-chosen";
    confirmation.textContent = widget.dataset.chosen + " " + button.textContent.replace(/\s+/g, " ").trim();
    results(widget).replaceChildren(confirmation);
    field(widget).focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("button[data-kldb5]") : null;
    if (button && widgetOf(button)) choose(button);
  });

  document.addEventListener("input", function (event) {
    var widget = widgetOf(event.target);
    if (widget && event.target === field(widget)) code(widget).value = "";
  });

  document.addEventListener("keydown", function (event) {
    var widget = widgetOf(event.target);
    if (!widget) return;
    var buttons = suggestions(widget);
    var index = buttons.indexOf(event.target);
    if (event.key === "ArrowDown" && buttons.length) {
      buttons[Math.min(index + 1, buttons.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      (index === 0 ? field(widget) : buttons[index - 1]).focus();
    } else if (event.key === "Escape" && buttons.length) {
      results(widget).replaceChildren();
      field(widget).focus();
    } else {
      return;
    }
    event.preventDefault();
  });
})();
