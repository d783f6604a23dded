/* The title search of the occupations page (occupation_list.html).
 *
 * htmx swaps only the results as one types, not the field, so this script
 * keeps the field's state in step with them: invalid while the results hold
 * an error, and described by that error (WCAG 3.3.1, 4.1.2).
 */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function () {
    var field = document.getElementById("id_title");
    if (!field) return;
    var error = document.getElementById("id_title_error");
    if (error) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", "id_title_error id_title_help");
    } else {
      field.removeAttribute("aria-invalid");
      field.setAttribute("aria-describedby", "id_title_help");
    }
  });
})();
