// Optional enhancement of the screening page: a document scanner types the
// MRZ like a keyboard, one line per Enter. When the field holds two or
// three complete MRZ lines (TD1 3x30, TD2 2x36, TD3 2x44), the form is
// sent at once, so the officer goes from scan to answer without a key.
// Without JavaScript the officer presses the button; nothing else differs.
(function () {
  var mrz = document.getElementById("mrz");
  if (!mrz || !mrz.form) { return; }
  var complete = function (text) {
    var lines = text.split(/\r?\n/).map(function (l) { return l.trim(); })
      .filter(function (l) { return l.length > 0; });
    if (lines.length === 3) { return lines.every(function (l) { return l.length === 30; }); }
    if (lines.length === 2) {
      return lines[0].length === lines[1].length && (lines[0].length === 36 || lines[0].length === 44);
    }
    return false;
  };
  var sent = false;
  mrz.addEventListener("input", function () {
    if (!sent && complete(mrz.value)) { sent = true; mrz.form.requestSubmit(); }
  });
})();

// The flight report's print button: shown only where a script can print.
(function () {
  var buttons = document.querySelectorAll("button.print-button");
  Array.prototype.forEach.call(buttons, function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
})();
