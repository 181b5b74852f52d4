// The star rating of a room form, kept up to date as it is filled in: the
// server rates the profile by the same rubric as a saved room. Without
// this script the rating shows once the room is saved.
(function () {
  if (!window.fetch || !window.URLSearchParams) return;
  document.querySelectorAll('[data-stars-for]').forEach(function (out) {
    var form = document.getElementById(out.getAttribute('data-stars-for'));
    if (!form) return;
    var timer = null;
    function rate() {
      var q = new URLSearchParams();
      ['floor', 'floor_area_m2'].forEach(function (k) { q.set(k, form.elements[k].value); });
      ['climate_control', 'obstructions', 'barres', 'mirrors'].forEach(function (k) {
        q.set(k, form.elements[k].checked ? 'true' : 'false');
      });
      fetch('/dashboard/rooms/stars?' + q.toString()).then(function (r) { return r.json(); }).then(function (a) {
        out.textContent = 'With these details: ' + a.stars + ' of 5 stars for dance' +
          (a.lost.length ? ' (lost ' + a.lost.join('; ') + ').' : '.');
      }).catch(function () {});
    }
    form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(rate, 250); });
    form.addEventListener('change', rate);
  });
})();
