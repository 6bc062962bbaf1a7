// Evidence files are hashed here, in the browser, when it can (a secure context: HTTPS or
// localhost), to show their SHA-256 digests before sending; the files are uploaded with the
// form either way, and the server stores them encrypted (console/evidence_files.py).
// Part of the supervision ledger console; same licence.
(function () {
  "use strict";
  var input = document.querySelector("input[data-hash-into]");
  if (!input || !window.isSecureContext || !window.crypto || !window.crypto.subtle) return;
  var list = document.getElementById("evidence-list");
  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  input.addEventListener("change", function () {
    var files = Array.prototype.slice.call(input.files);
    Promise.all(files.map(function (file) {
      return file.arrayBuffer().then(function (bytes) {
        return crypto.subtle.digest("SHA-256", bytes);
      }).then(function (digest) { return {name: file.name, sha256: hex(digest)}; });
    })).then(function (digests) {
      list.textContent = digests.map(function (d) { return d.name + "：" + d.sha256; }).join("\n");
    });
  });
}());
