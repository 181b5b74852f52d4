// "Use my location" on /nearby: fills in the browser's position and
// sends the form. Without it, a place or postcode does the same.
(function () {
  var button = document.getElementById('locate');
  var form = document.getElementById('nearby-form');
  if (!button || !form || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener('click', function () {
    button.disabled = true;
    button.textContent = 'Finding you…';
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById('lat').value = pos.coords.latitude.toFixed(5);
      document.getElementById('lon').value = pos.coords.longitude.toFixed(5);
      document.getElementById('place').value = '';
      form.submit();
    }, function () {
      button.disabled = false;
      button.textContent = 'Use my location';
      var note = document.getElementById('locate-status');
      if (note) note.textContent = 'Your browser did not share your location. Type a place or postcode instead.';
    }, { timeout: 10000, maximumAge: 60000 });
  });
})();
